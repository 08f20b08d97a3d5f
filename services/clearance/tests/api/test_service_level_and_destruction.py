"""The checkers' queue, overdue flags, and the destruction of pre-publication outputs."""

from __future__ import annotations

import asyncio
import datetime as dt

from srs_clearance import jobs
from srs_common.contracts import projects

from ..conftest import NOW, ORG, PROJECT, seed_project


async def test_queue_orders_priority_projects_first_then_due_date(world, tokens):
    await seed_project(
        world.deliver, world.client, "prj_covid", [("res-cat", "lead")], priority=True
    )
    world.headers["cat"] = tokens.headers("researcher", researcher_id="res-cat")
    first = await world.submitted()
    world.clock.advance(days=1)
    second = await world.submitted()
    urgent = await world.submitted("cat", project_id="prj_covid")
    page = (await world.client.get("/v1/queue", headers=world.as_("checker1"))).json()
    assert [i["id"] for i in page["items"]] == [urgent, first, second]
    assert page["items"][0]["priority"] is True
    one = (await world.client.get("/v1/queue?limit=1", headers=world.as_("checker1"))).json()
    rest = (
        await world.client.get(
            f"/v1/queue?limit=5&cursor={one['next']}", headers=world.as_("checker1")
        )
    ).json()
    assert [i["id"] for i in one["items"] + rest["items"]] == [urgent, first, second]


async def test_overdue_requests_are_flagged_once(world):
    output_id = await world.submitted()
    paused = await world.in_review()
    world.clock.advance(days=1)
    await world.client.post(
        f"/v1/outputs/{paused}/clarification",
        headers=world.as_("checker1"),
        json={"text": "Question?"},
    )
    late = NOW + dt.timedelta(days=8)
    async with world.client.runtime.db.transaction() as session:
        assert await jobs.flag_overdue_requests(session, NOW + dt.timedelta(days=6, hours=23)) == []
    async with world.client.runtime.db.transaction() as session:
        assert await jobs.flag_overdue_requests(session, late) == [output_id]
    async with world.client.runtime.db.transaction() as session:
        assert await jobs.flag_overdue_requests(session, late) == []
    overdue = await world.events("srs.output.overdue.v1")
    assert [(e["output_id"], e["due_at"]) for e in overdue] == [(output_id, "2026-12-02T10:00:00Z")]
    world.clock.now = late
    queue = (await world.client.get("/v1/queue", headers=world.as_("checker1"))).json()["items"]
    flags = {i["id"]: (i["overdue"], i["clarification_pending"]) for i in queue}
    assert flags == {output_id: (True, False), paused: (False, True)}


async def _complete(world, when=NOW):
    return await world.deliver(
        world.client,
        projects.ProjectCompleted(
            project_id=PROJECT,
            organisation_id=ORG,
            lead_researcher_id="res-alice",
            member_ids=["res-alice", "res-bob"],
            occurred_at=when,
        ),
        subject=PROJECT,
    )


async def test_completion_requires_destruction_of_cleared_pre_publication_outputs_once(world):
    cleared = await world.approved()
    publication = await world.in_review(kind="publication")
    pending = await world.submitted()
    assert await _complete(world)
    required = await world.events("srs.output.destruction_required.v1")
    assert [(e["output_id"], e["deadline"]) for e in required] == [
        (cleared, "2026-12-25T10:00:00Z")
    ]
    # a redelivery, or a second completion event, changes nothing
    assert await _complete(world, NOW + dt.timedelta(days=1))
    assert len(await world.events("srs.output.destruction_required.v1")) == 1
    body = (await world.client.get(f"/v1/outputs/{cleared}", headers=world.as_("alice"))).json()
    assert body["destruction_status"] == "required"
    for other in (publication, pending):
        body = (await world.client.get(f"/v1/outputs/{other}", headers=world.as_("alice"))).json()
        assert body["destruction_status"] is None


async def test_attestation_by_the_requester_once(world):
    cleared = await world.approved()
    not_yet = await world.client.post(
        f"/v1/outputs/{cleared}/destruction",
        headers=world.as_("alice"),
        json={"statement": "deleted every copy today"},
    )
    assert not_yet.status_code == 409 and not_yet.json()["current_state"] == "not required"
    await _complete(world)
    bob = await world.client.post(
        f"/v1/outputs/{cleared}/destruction",
        headers=world.as_("bob"),
        json={"statement": "deleted every copy today"},
    )
    assert bob.status_code == 403
    done = await world.client.post(
        f"/v1/outputs/{cleared}/destruction",
        headers=world.as_("alice"),
        json={"statement": "deleted every copy today"},
    )
    assert done.status_code == 200 and done.json()["destruction_status"] == "destroyed"
    assert len(await world.events("srs.output.destroyed.v1")) == 1
    again = await world.client.post(
        f"/v1/outputs/{cleared}/destruction",
        headers=world.as_("alice"),
        json={"statement": "deleted every copy today"},
    )
    assert again.status_code == 409 and again.json()["current_state"] == "destroyed"
    async with world.client.runtime.db.transaction() as session:
        assert await jobs.flag_overdue_destructions(session, NOW + dt.timedelta(days=60)) == []


async def test_destruction_overdue_published_once_even_with_two_replicas(world):
    cleared = await world.approved()
    await _complete(world)
    db = world.client.runtime.db
    async with db.transaction() as session:
        assert await jobs.flag_overdue_destructions(session, NOW + dt.timedelta(days=29)) == []

    async def replica():
        async with db.transaction() as session:
            return await jobs.flag_overdue_destructions(session, NOW + dt.timedelta(days=31))

    results = await asyncio.gather(replica(), replica())
    assert sorted(len(r) for r in results) == [0, 1]
    overdue = await world.events("srs.output.destruction_overdue.v1")
    assert [(e["output_id"], e["requester_id"]) for e in overdue] == [(cleared, "res-alice")]


async def test_policy_period_comes_from_settings(service_client, deliver, tmp_path, tokens):
    async with service_client(
        "clearance", outputs_dir=tmp_path, destruction_policy_days=7
    ) as client:
        from ..conftest import Clock, World

        world = World(
            client=client,
            clock=Clock(),
            tokens=tokens,
            deliver=deliver,
            headers={
                "alice": tokens.headers("researcher", researcher_id="res-alice"),
                "checker1": tokens.headers("checker", sub="chk-1"),
                "checker2": tokens.headers("checker", sub="chk-2"),
            },
        )
        client.app.state.clock = world.clock  # type: ignore[attr-defined]
        await seed_project(deliver, client, PROJECT, [("res-alice", "lead")])
        await world.approved()
        await _complete(world)
        required = await world.events("srs.output.destruction_required.v1")
        assert required[0]["deadline"] == "2026-12-02T10:00:00Z"


async def test_a_pre_publication_output_cleared_after_completion_must_be_destroyed_too(world):
    in_review = await world.in_review()
    await _complete(world)
    assert await world.events("srs.output.destruction_required.v1") == []
    world.clock.advance(days=2)
    await world.reviewed(in_review)
    decided = await world.client.post(
        f"/v1/outputs/{in_review}/decision",
        headers=world.as_("checker1"),
        json={"decision": "approve", "reason": "safe"},
    )
    assert decided.status_code == 200, decided.text
    required = await world.events("srs.output.destruction_required.v1")
    assert [(e["output_id"], e["deadline"]) for e in required] == [
        (in_review, "2026-12-25T10:00:00Z")
    ]
