"""Home working (section 18): the form, approvals by staff and every data owner,
signatures, the two-working-day target, refusal and revocation."""

from __future__ import annotations

import datetime as dt

import pytest

from srs_access.catalogue import catalogue_dataset
from srs_access.domain import AccessLevel
from srs_common.contracts import accreditation as acc

FORM = {
    "project_ids": ["prj-1"],
    "researcher_ids": ["res-alice"],
    "importance_to_government": "Evaluates COVID-19 business support for HM Treasury.",
    "urgency_and_impact_of_delay": "Due to ministers in January; delay stops the review.",
    "organisation_machine_over_vpn": True,
    "organisation_agreement_confirmed": True,
}
ALICE = {"researcher_id": "res-alice", "org": "org-ntu"}


@pytest.fixture
async def project(world):
    """An active project on two home-level datasets of two different owners."""
    await world.seed()
    async with world.client.runtime.db.transaction() as session:
        await catalogue_dataset(
            session,
            dataset_id="ds-health-home",
            title="Health survey",
            owner="ONS Health",
            access_level=AccessLevel.home,
            disclosure_threshold=10,
            operational_id_columns=[],
            create=True,
        )
    await world.register("res-alice")
    await world.accredit("res-alice")
    await world.approve(
        "prj-1", [("res-alice", "lead")], datasets=["ds-csew-2019", "ds-health-home"]
    )
    await world.activate("prj-1", ["ds-csew-2019", "ds-health-home"])
    return "prj-1"


async def submit(client, tokens, **changes):
    return await client.post(
        "/v1/home-working-requests",
        json={**FORM, **changes},
        headers=tokens.headers("researcher", **ALICE),
    )


async def home_decision(client, tokens) -> list[str]:
    response = await client.post(
        "/v1/access-decisions",
        headers=tokens.headers("support"),
        json={
            "researcher_id": "res-alice",
            "project_id": "prj-1",
            "setting": "home",
            "country": "GB",
        },
    )
    return [r["code"] for r in response.json()["reasons"]]


async def test_full_approval_then_signature_opens_home_access(client, tokens, world, project):
    created = await submit(client, tokens)
    assert created.status_code == 201, created.text
    request = created.json()
    assert request["status"] == "submitted"
    assert request["dataset_owners"] == {"ds-csew-2019": "ONS", "ds-health-home": "ONS Health"}
    submitted = dt.date.fromisoformat(request["submitted_at"][:10])
    assert dt.date.fromisoformat(request["respond_by"]) > submitted
    assert request["response_overdue"] is False
    rid = request["id"]

    staff = await client.post(
        f"/v1/home-working-requests/{rid}/staff-approval",
        headers=tokens.headers("support", sub="staff-1"),
    )
    assert staff.json()["status"] == "submitted"
    ons = await client.post(
        f"/v1/home-working-requests/{rid}/owner-approval",
        headers=tokens.headers("data_owner", sub="owner-ons", org="ONS"),
    )
    assert ons.json()["status"] == "submitted"  # ONS Health has not approved yet
    assert await home_decision(client, tokens) == ["no_home_working"]
    health = await client.post(
        f"/v1/home-working-requests/{rid}/owner-approval",
        headers=tokens.headers("data_owner", sub="owner-h", org="ONS Health"),
    )
    assert health.json()["status"] == "approved", health.text
    assert health.json()["syops_signed"] == {"res-alice": False}
    approved = await world.outbox("srs.home_working.approved.v1")
    assert approved[0][1]["researcher_ids"] == ["res-alice"]

    assert await home_decision(client, tokens) == ["syops_not_signed"]
    signed = await client.post(
        f"/v1/home-working-requests/{rid}/syops-signature",
        headers=tokens.headers("researcher", **ALICE),
    )
    assert signed.json()["syops_signed"] == {"res-alice": True}
    assert await home_decision(client, tokens) == []
    again = await client.post(
        f"/v1/home-working-requests/{rid}/syops-signature",
        headers=tokens.headers("researcher", **ALICE),
    )
    assert again.status_code == 409

    revoked = await client.post(
        f"/v1/home-working-requests/{rid}/revocation",
        json={"reason": "restrictions lifted"},
        headers=tokens.headers("support"),
    )
    assert revoked.json()["status"] == "revoked"
    assert await home_decision(client, tokens) == ["no_home_working"]
    assert len(await world.outbox("srs.home_working.revoked.v1")) == 1
    again = await client.post(
        f"/v1/home-working-requests/{rid}/staff-approval", headers=tokens.headers("support")
    )
    assert again.status_code == 409 and again.json()["current_state"] == "revoked"


async def test_a_request_tells_data_owners_and_support_which_datasets(
    client, tokens, world, project
):
    created = await submit(client, tokens)
    assert created.status_code == 201, created.text
    requested = await world.outbox("srs.home_working.requested.v1")
    assert len(requested) == 1
    assert requested[0][1]["request_id"] == created.json()["id"]
    assert requested[0][1]["organisation_id"] == "org-ntu"
    assert requested[0][1]["project_ids"] == ["prj-1"]
    assert requested[0][1]["researcher_ids"] == ["res-alice"]
    assert sorted(requested[0][1]["dataset_ids"]) == ["ds-csew-2019", "ds-health-home"]
    # A refused submission tells nobody.
    await world.organisation("org-legacy", until=None, legacy=True)
    refused = await client.post(
        "/v1/home-working-requests",
        json=FORM,
        headers=tokens.headers("researcher", researcher_id="res-alice", org="org-legacy"),
    )
    assert refused.status_code == 422
    assert len(await world.outbox("srs.home_working.requested.v1")) == 1


async def test_organisation_needs_a_current_agreement(client, tokens, world, project):
    await world.organisation("org-legacy", until=None, legacy=True)
    response = await client.post(
        "/v1/home-working-requests",
        json=FORM,
        headers=tokens.headers("researcher", researcher_id="res-alice", org="org-legacy"),
    )
    assert response.status_code == 422
    assert response.json()["rule"] == "no_current_agreement"


async def test_the_form_must_confirm_machine_vpn_and_agreement(client, tokens, project):
    vpn = await submit(client, tokens, organisation_machine_over_vpn=False)
    assert vpn.status_code == 422 and vpn.json()["rule"] == "organisation_machine"
    agreement = await submit(client, tokens, organisation_agreement_confirmed=False)
    assert agreement.status_code == 422
    short = await submit(client, tokens, importance_to_government="", researcher_ids=[])
    assert {"body.importance_to_government", "body.researcher_ids"} <= {
        e["field"] for e in short.json()["errors"]
    }


async def test_only_members_apply_and_name_members(client, tokens, world, project):
    outsider = await client.post(
        "/v1/home-working-requests",
        json=FORM,
        headers=tokens.headers("researcher", researcher_id="res-eve", org="org-ntu"),
    )
    assert outsider.status_code == 404
    stranger = await submit(client, tokens, researcher_ids=["res-alice", "res-eve"])
    assert stranger.status_code == 422 and stranger.json()["rule"] == "not_active_member"
    staff = await client.post(
        "/v1/home-working-requests", json=FORM, headers=tokens.headers("support")
    )
    assert staff.status_code == 403


async def test_who_sees_and_decides(client, tokens, world, project):
    rid = (await submit(client, tokens)).json()["id"]
    path = f"/v1/home-working-requests/{rid}"
    bob = tokens.headers("researcher", researcher_id="res-bob", org="org-ntu")
    other_owner = tokens.headers("data_owner", org="NHS Digital")
    for headers in (bob, other_owner):
        assert (await client.get(path, headers=headers)).status_code == 404
        assert (await client.get("/v1/home-working-requests", headers=headers)).json() == []
    assert (await client.post(f"{path}/owner-approval", headers=other_owner)).status_code == 404
    assert (
        await client.post(f"{path}/refusal", json={"reason": "not mine"}, headers=other_owner)
    ).status_code == 404
    assert (
        await client.post(f"{path}/refusal", json={"reason": "no"}, headers=bob)
    ).status_code == 403
    assert (
        await client.post(
            f"{path}/revocation",
            json={"reason": "no"},
            headers=tokens.headers("data_owner", org="ONS"),
        )
    ).status_code == 403
    assert (await client.post(f"{path}/staff-approval", headers=bob)).status_code == 403
    assert (
        await client.post(f"{path}/owner-approval", headers=tokens.headers("support"))
    ).status_code == 403
    assert (
        await client.post(f"{path}/syops-signature", headers=tokens.headers("researcher", **ALICE))
    ).status_code == 409
    assert (
        await client.get(path, headers=tokens.headers("data_owner", org="ONS"))
    ).status_code == 200
    listed = await client.get(
        "/v1/home-working-requests?status=submitted", headers=tokens.headers("ops")
    )
    assert [r["id"] for r in listed.json()] == [rid]


async def test_a_data_owner_refuses_with_the_reason(client, tokens, world, project):
    rid = (await submit(client, tokens)).json()["id"]
    refused = await client.post(
        f"/v1/home-working-requests/{rid}/refusal",
        json={"reason": "mortality data stays in safe rooms"},
        headers=tokens.headers("data_owner", org="ONS Health"),
    )
    assert refused.json()["status"] == "refused"
    event = (await world.outbox("srs.home_working.refused.v1"))[0][1]
    assert event["reason"] == "mortality data stays in safe rooms"
    late = await client.post(
        f"/v1/home-working-requests/{rid}/owner-approval",
        headers=tokens.headers("data_owner", org="ONS"),
    )
    assert late.status_code == 409 and late.json()["current_state"] == "refused"
    revoke = await client.post(
        f"/v1/home-working-requests/{rid}/revocation",
        json={"reason": "n/a"},
        headers=tokens.headers("support"),
    )
    assert revoke.status_code == 409
    audit = await client.get("/v1/audit/access", headers=tokens.headers("ops"))
    assert audit.json()["items"][-1]["action"] == "home_working_refused"


async def test_a_request_past_its_two_working_days_shows_overdue(client, tokens, project):
    from sqlalchemy import update

    from srs_access.models import HomeWorkingRequest

    rid = (await submit(client, tokens)).json()["id"]
    async with client.runtime.db.transaction() as session:
        await session.execute(
            update(HomeWorkingRequest)
            .where(HomeWorkingRequest.id == rid)
            .values(respond_by=dt.date.today() - dt.timedelta(days=1))
        )
    read = await client.get(f"/v1/home-working-requests/{rid}", headers=tokens.headers("support"))
    assert read.json()["response_overdue"] is True


async def test_staff_and_data_owners_read_who_and_what_by_name(client, tokens, world, project):
    """The request names its researchers (their record's name), projects (the approved
    title) and datasets (the catalogue's title) for the people who decide it and for the
    researcher; a renamed researcher is read anew."""
    await world.register("res-alice", name="Alice Example")
    created = await submit(client, tokens)
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    expected = {
        "res-alice": "Alice Example",
        "prj-1": "Burglary security",
        "ds-csew-2019": "Crime Survey for England and Wales 2019",
        "ds-health-home": "Health survey",
    }
    owner = tokens.headers("data_owner", sub="owner-h", org="ONS Health")
    for headers in (tokens.headers("support"), owner, tokens.headers("researcher", **ALICE)):
        listed = await client.get("/v1/home-working-requests", headers=headers)
        (mine,) = [r for r in listed.json() if r["id"] == rid]
        one = await client.get(f"/v1/home-working-requests/{rid}", headers=headers)
        assert mine["names"] == one.json()["names"]
        assert mine["names"] == expected

    await world.register("res-alice", name="Alice Renamed", contract=acc.ResearcherUpdated)
    one = await client.get(f"/v1/home-working-requests/{rid}", headers=owner)
    assert one.json()["names"]["res-alice"] == "Alice Renamed"
