"""Who may see and change what: a test per route for those who must not."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from srs_clearance.models import audit_log

from ..conftest import FREQUENCY_CSV

READ_ROUTES = ["", "/status", "/comments"]


async def _file_id(world, output_id):
    body = (await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("alice"))).json()
    return body["groups"][0]["files"][0]["id"]


async def test_a_researcher_of_another_project_gets_404_on_every_route(world):
    output_id = await world.in_review()
    file_id = await _file_id(world, output_id)
    client, eve = world.client, world.as_("eve")
    for suffix in READ_ROUTES + [f"/files/{file_id}"]:
        response = await client.get(f"/v1/outputs/{output_id}{suffix}", headers=eve)
        assert response.status_code == 404, suffix
        assert response.headers["content-type"] == "application/problem+json"
    for suffix, body in [
        ("/withdraw", None),
        ("/groups", {"name": "x", "context": "long enough", "controls": "none"}),
        ("/clarification/response", {"text": "answer"}),
        ("/comments", {"body": "hi", "visibility": "shared"}),
        ("/destruction", {"statement": "destroyed every copy"}),
        ("/submit", None),
    ]:
        response = await client.post(f"/v1/outputs/{output_id}{suffix}", headers=eve, json=body)
        assert response.status_code == 404, suffix
    upload = await world.upload(output_id, "grp_x", "t.csv", FREQUENCY_CSV, who="eve")
    assert upload.status_code == 404
    listed = (await client.get("/v1/outputs", headers=eve)).json()
    assert listed["items"] == []


async def test_project_members_see_the_project_outputs_and_download_audited(world):
    output_id = await world.in_review()
    file_id = await _file_id(world, output_id)
    bob = world.as_("bob")
    assert (await world.client.get(f"/v1/outputs/{output_id}", headers=bob)).status_code == 200
    download = await world.client.get(f"/v1/outputs/{output_id}/files/{file_id}", headers=bob)
    assert download.status_code == 200 and download.content == FREQUENCY_CSV
    await world.client.get(
        f"/v1/outputs/{output_id}/files/{file_id}", headers=world.as_("checker1")
    )
    entries = audit_log.entries
    async with world.client.runtime.db.transaction() as session:
        audit = (
            await session.execute(
                select(entries)
                .where(entries.c.action == "output.downloaded", entries.c.subject_id == output_id)
                .order_by(entries.c.id)
            )
        ).all()
    assert [(a.actor, a.detail["file_id"]) for a in audit] == [
        ("res-bob", file_id),
        ("chk-1", file_id),
    ]


async def test_drafts_are_the_requesters_alone(world):
    output_id = await world.draft()
    for who in ("bob", "checker1", "partner"):
        response = await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_(who))
        assert response.status_code == 404, who
    assert (
        await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("alice"))
    ).status_code == 200


async def test_outputs_only_peer_reviewers_see_cleared_outputs_only(world):
    pending = await world.in_review()
    cleared = await world.approved()
    pat = world.as_("pat")
    assert (await world.client.get(f"/v1/outputs/{pending}", headers=pat)).status_code == 404
    assert (await world.client.get(f"/v1/outputs/{cleared}", headers=pat)).status_code == 200
    file_id = await _file_id(world, cleared)
    download = await world.client.get(f"/v1/outputs/{cleared}/files/{file_id}", headers=pat)
    assert download.status_code == 200
    listed = (await world.client.get("/v1/outputs", headers=pat)).json()["items"]
    assert [o["id"] for o in listed] == [cleared]


async def test_partners_see_statuses_of_their_organisation_never_contents(world):
    output_id = await world.in_review()
    file_id = await _file_id(world, output_id)
    partner = world.as_("partner")
    status = await world.client.get(f"/v1/outputs/{output_id}/status", headers=partner)
    assert status.status_code == 200
    assert status.json()["status"] == "in_review"
    assert "groups" not in status.json() and "title" not in status.json()
    for suffix in ("", "/comments", f"/files/{file_id}"):
        response = await world.client.get(f"/v1/outputs/{output_id}{suffix}", headers=partner)
        assert response.status_code == 404, suffix
    listed = (await world.client.get("/v1/outputs", headers=partner)).json()["items"]
    assert [o["id"] for o in listed] == [output_id]
    other = world.as_("other_partner")
    assert (
        await world.client.get(f"/v1/outputs/{output_id}/status", headers=other)
    ).status_code == 404
    assert (await world.client.get("/v1/outputs", headers=other)).json()["items"] == []


async def test_a_removed_member_loses_sight_of_the_project_outputs(world):
    from srs_common.contracts import projects

    from ..conftest import NOW, ORG, PROJECT

    output_id = await world.submitted()
    await world.deliver(
        world.client,
        projects.ProjectMemberRemoved(
            project_id=PROJECT,
            organisation_id=ORG,
            researcher_id="res-bob",
            role="researcher",
            occurred_at=NOW,
        ),
        subject=PROJECT,
    )
    response = await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("bob"))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/v1/outputs/out_missing",
        "/v1/outputs/out_missing/status",
        "/v1/outputs/out_missing/comments",
        "/v1/outputs/out_missing/files/fil_x",
    ],
)
async def test_unknown_outputs_are_404_and_tokens_required(world, path):
    assert (await world.client.get(path, headers=world.as_("support"))).status_code == 404
    assert (await world.client.get(path)).status_code == 401


async def test_list_pagination_and_filters(world):
    ids = [await world.submitted() for _ in range(3)]
    client = world.client
    page = (await client.get("/v1/outputs?limit=2", headers=world.as_("alice"))).json()
    assert len(page["items"]) == 2 and page["next"]
    rest = (
        await client.get(f"/v1/outputs?limit=2&cursor={page['next']}", headers=world.as_("alice"))
    ).json()
    assert {o["id"] for o in page["items"] + rest["items"]} == set(ids)
    assert rest["next"] is None
    filtered = (
        await client.get("/v1/outputs?status=approved", headers=world.as_("checker1"))
    ).json()
    assert filtered["items"] == []
    bad = await client.get("/v1/outputs?cursor=!!!", headers=world.as_("alice"))
    assert bad.status_code == 422


async def test_audit_trail_is_hash_chained_and_shows_tampering(world):
    from sqlalchemy import update

    output_id = await world.approved()
    client = world.client
    assert (
        await client.get(f"/v1/outputs/{output_id}/audit", headers=world.as_("alice"))
    ).status_code == 403
    trail = (
        await client.get(f"/v1/outputs/{output_id}/audit", headers=world.as_("checker2"))
    ).json()
    assert trail["intact"] is True
    assert [e["action"] for e in trail["entries"]] == [
        "submitted",
        "review_started",
        "reviewed",
        "reviewed",
        "approved",
    ]
    assert trail["entries"][-1]["actor"] == "chk-1"
    async with client.runtime.db.transaction() as session:
        await session.execute(
            update(audit_log.entries)
            .where(audit_log.entries.c.action == "output.approved")
            .values(actor="someone-else")
        )
    tampered = (
        await client.get(f"/v1/outputs/{output_id}/audit", headers=world.as_("support"))
    ).json()
    assert tampered["intact"] is False


async def test_an_inactive_member_sees_only_their_own_requests(world):
    from srs_common.contracts import projects

    from ..conftest import NOW, ORG, PROJECT

    alices = await world.submitted()
    bobs = await world.submitted("bob")
    await world.deliver(
        world.client,
        projects.ProjectMemberDeactivated(
            project_id=PROJECT,
            organisation_id=ORG,
            researcher_id="res-bob",
            role="researcher",
            occurred_at=NOW,
        ),
        subject=PROJECT,
    )
    bob = world.as_("bob")
    assert (await world.client.get(f"/v1/outputs/{alices}", headers=bob)).status_code == 404
    assert (await world.client.get(f"/v1/outputs/{bobs}", headers=bob)).status_code == 200
    listed = (await world.client.get("/v1/outputs", headers=bob)).json()["items"]
    assert [o["id"] for o in listed] == [bobs]


async def test_refused_uploads_leave_no_file_behind(world, tmp_path):
    output_id = await world.draft(files=[])
    group_id = (
        await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("alice"))
    ).json()["groups"][0]["id"]
    bad = await world.upload(output_id, group_id, "t.csv", b"region,n\nNorth,3\n")
    assert bad.status_code == 422
    stored = tmp_path / "outputs"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))
