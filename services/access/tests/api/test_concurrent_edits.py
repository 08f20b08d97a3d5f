"""Concurrent edits of what two staff can change at once: a dataset, an organisation and a
home-working request carry an ETag; a stale If-Match is 412 and writes nothing."""

from __future__ import annotations

import datetime as dt

from .test_catalogue import NEW
from .test_home_working import project, submit  # noqa: F401  (fixture)

FIELDS = {k: v for k, v in NEW.items() if k != "id"}


async def test_a_dataset_edit_from_a_stale_read_is_refused(client, tokens, world):
    support = tokens.headers("support")
    await client.post("/v1/datasets", json=NEW, headers=support)
    read = await client.get("/v1/datasets/ds-lfs-2023", headers=support)
    tag = read.headers["etag"]
    # Two staff read the same version; the first saves.
    first = await client.put(
        "/v1/datasets/ds-lfs-2023",
        json={**FIELDS, "disclosure_threshold": 20},
        headers={**support, "If-Match": tag},
    )
    assert first.status_code == 200, first.text
    assert first.headers["etag"] not in (tag, "")
    events_before = await world.outbox("srs.dataset.catalogued.v1")
    # The second still holds the old version: refused, nothing written or published.
    second = await client.put(
        "/v1/datasets/ds-lfs-2023",
        json={**FIELDS, "disclosure_threshold": 3},
        headers={**support, "If-Match": tag},
    )
    assert second.status_code == 412
    problem = second.json()
    assert problem["resource"] == "dataset ds-lfs-2023"
    assert problem["current_etag"] == first.headers["etag"] == second.headers["etag"]
    now = await client.get("/v1/datasets/ds-lfs-2023", headers=support)
    assert now.json()["disclosure_threshold"] == 20
    assert now.headers["etag"] == first.headers["etag"]
    assert await world.outbox("srs.dataset.catalogued.v1") == events_before
    # Without If-Match the edit goes ahead as it always did.
    plain = await client.put(
        "/v1/datasets/ds-lfs-2023", json={**FIELDS, "disclosure_threshold": 7}, headers=support
    )
    assert plain.status_code == 200


async def test_an_organisation_agreement_edit_needs_the_current_version(client, tokens):
    support = tokens.headers("support")
    body = {"id": "org-etag", "name": "Etag Institute", "legacy_remote_access": False}
    await client.post("/v1/organisations", json=body, headers=support)
    tag = (await client.get("/v1/organisations/org-etag", headers=support)).headers["etag"]
    certified = str(dt.date.today() + dt.timedelta(days=365))
    change = {"name": "Etag Institute", "legacy_remote_access": False}
    ok = await client.put(
        "/v1/organisations/org-etag",
        json={**change, "aoc_certified_until": certified},
        headers={**support, "If-Match": tag},
    )
    assert ok.status_code == 200 and ok.json()["agreement_current"] is True
    stale = await client.put(
        "/v1/organisations/org-etag",
        json={**change, "aoc_certified_until": None},
        headers={**support, "If-Match": tag},
    )
    assert stale.status_code == 412 and stale.json()["resource"] == "organisation org-etag"
    read = await client.get("/v1/organisations/org-etag", headers=support)
    assert read.json()["aoc_certified_until"] == certified
    assert read.headers["etag"] == ok.headers["etag"]


async def test_a_home_working_decision_on_a_stale_request_is_refused(
    client,
    tokens,
    world,
    project,  # noqa: F811
):
    rid = (await submit(client, tokens)).json()["id"]
    support = tokens.headers("support")
    ons = tokens.headers("data_owner", sub="owner-ons", org="ONS")
    # The data owner loaded the request; support approves meanwhile.
    tag = (await client.get(f"/v1/home-working-requests/{rid}", headers=ons)).headers["etag"]
    staff = await client.post(
        f"/v1/home-working-requests/{rid}/staff-approval", headers={**support, "If-Match": tag}
    )
    assert staff.status_code == 200, staff.text
    refused = await client.post(
        f"/v1/home-working-requests/{rid}/refusal",
        json={"reason": "not urgent enough"},
        headers={**ons, "If-Match": tag},
    )
    assert refused.status_code == 412
    assert refused.json()["resource"] == f"home-working request {rid}"
    read = await client.get(f"/v1/home-working-requests/{rid}", headers=ons)
    assert read.json()["status"] == "submitted" and read.json()["staff_approved_by"]
    # With the version it now holds, the owner's approval goes through.
    approved = await client.post(
        f"/v1/home-working-requests/{rid}/owner-approval",
        headers={**ons, "If-Match": read.headers["etag"]},
    )
    assert approved.status_code == 200, approved.text
    assert approved.headers["etag"] != read.headers["etag"]


async def test_a_request_the_caller_may_not_see_is_404_not_412(
    client,
    tokens,
    project,  # noqa: F811
):
    rid = (await submit(client, tokens)).json()["id"]
    other_owner = tokens.headers("data_owner", org="NHS Digital")
    answer = await client.post(
        f"/v1/home-working-requests/{rid}/refusal",
        json={"reason": "not yours"},
        headers={**other_owner, "If-Match": '"stale"'},
    )
    assert answer.status_code == 404 and "current_etag" not in answer.json()
