"""The review workflow: every transition, every refusal, blind double review, races."""

from __future__ import annotations

import asyncio

import pytest


@pytest.mark.parametrize("kind", ["pre_publication", "publication", "code_file"])
async def test_every_kind_needs_two_independent_reviews_before_the_decision(world, kind):
    files = (
        [("analysis.py", b"# Mean of the rounded counts\nmean = sum(c) / len(c)\n")]
        if kind == "code_file"
        else None
    )
    output_id = await world.in_review(kind=kind, files=files)
    decide = {"decision": "reject", "reason": "cell of 3 in South"}
    early = await world.client.post(
        f"/v1/outputs/{output_id}/decision", headers=world.as_("checker1"), json=decide
    )
    assert early.status_code == 409
    assert "needs 2 independent reviews before a decision (0 so far)" in early.json()["detail"]
    await world.reviewed(output_id, ("checker1", "reject"))
    one = await world.client.post(
        f"/v1/outputs/{output_id}/decision", headers=world.as_("checker1"), json=decide
    )
    assert one.status_code == 409 and "(1 so far)" in one.json()["detail"]
    assert (await world.vote(output_id, "checker1", "approve")).status_code == 409  # once
    await world.reviewed(output_id, ("checker2", "reject"))
    decided = await world.client.post(
        f"/v1/outputs/{output_id}/decision", headers=world.as_("checker1"), json=decide
    )
    assert decided.status_code == 200 and decided.json()["status"] == "rejected"
    rejected = (await world.events("srs.output.rejected.v1"))[0]
    assert rejected["reason"] == "cell of 3 in South"
    again = await world.client.post(
        f"/v1/outputs/{output_id}/decision",
        headers=world.as_("checker2"),
        json={"decision": "approve", "reason": "changed my mind"},
    )
    assert again.status_code == 409 and again.json()["current_state"] == "rejected"


async def test_the_number_of_reviews_is_set_per_kind(
    service_client, deliver, tmp_path, tokens, people
):
    from ..conftest import Clock, World, seed_project

    async with service_client(
        "clearance", outputs_dir=tmp_path, pre_publication_reviews=1, publication_reviews=3
    ) as client:
        world = World(
            client=client,
            clock=Clock(),
            tokens=tokens,
            deliver=deliver,
            headers={**people, "checker3": tokens.headers("checker", sub="chk-3")},
        )
        client.app.state.clock = world.clock  # type: ignore[attr-defined]
        await seed_project(deliver, client, "prj_a", [("res-alice", "lead")])
        single = await world.in_review()
        await world.reviewed(single, ("checker2", "approve"))
        assert (await world.vote(single, "checker1")).status_code == 409  # all in
        decided = await client.post(
            f"/v1/outputs/{single}/decision",
            headers=world.as_("checker1"),
            json={"decision": "approve", "reason": "safe"},
        )
        assert decided.status_code == 200, decided.text
        triple = await world.in_review(kind="publication")
        await world.reviewed(triple, ("checker1", "approve"), ("checker2", "approve"))
        blocked = await client.post(
            f"/v1/outputs/{triple}/decision",
            headers=world.as_("checker1"),
            json={"decision": "approve", "reason": "safe"},
        )
        assert blocked.status_code == 409 and "needs 3 independent" in blocked.json()["detail"]
        votes = (
            await client.get(f"/v1/outputs/{triple}/votes", headers=world.as_("checker1"))
        ).json()
        assert (votes["needed"], votes["received"], votes["blind"]) == (3, 2, True)
        await world.reviewed(triple, ("checker3", "approve"))
        decided = await client.post(
            f"/v1/outputs/{triple}/decision",
            headers=world.as_("checker1"),
            json={"decision": "approve", "reason": "safe"},
        )
        assert decided.status_code == 200, decided.text


async def test_a_decision_needs_the_request_in_review(world):
    output_id = await world.submitted()
    early = await world.client.post(
        f"/v1/outputs/{output_id}/decision",
        headers=world.as_("checker1"),
        json={"decision": "approve", "reason": "fine"},
    )
    assert early.status_code == 409 and early.json()["current_state"] == "checked"
    started = await world.client.post(
        f"/v1/outputs/{output_id}/review", headers=world.as_("checker1")
    )
    assert started.json()["status"] == "in_review"
    twice = await world.client.post(
        f"/v1/outputs/{output_id}/review", headers=world.as_("checker2")
    )
    assert twice.status_code == 409 and twice.json()["current_state"] == "in_review"


async def test_nobody_reviews_their_own_request(world, tokens):
    alice_checker = tokens.headers("researcher", "checker", researcher_id="res-alice")
    output_id = await world.submitted()
    for path, body in [
        ("review", None),
        ("decision", {"decision": "approve", "reason": "fine"}),
        ("clarification", {"text": "why?"}),
    ]:
        response = await world.client.post(
            f"/v1/outputs/{output_id}/{path}", headers=alice_checker, json=body
        )
        assert response.status_code == 403, path
        assert "own request" in response.json()["detail"]


async def test_researchers_cannot_act_as_checkers(world):
    output_id = await world.submitted()
    for path, body in [
        ("review", None),
        ("decision", {"decision": "approve", "reason": "fine"}),
        ("votes", {"vote": "approve", "reason": "fine"}),
    ]:
        response = await world.client.post(
            f"/v1/outputs/{output_id}/{path}", headers=world.as_("bob"), json=body
        )
        assert response.status_code == 403
    assert (await world.client.get("/v1/queue", headers=world.as_("bob"))).status_code == 403


async def test_publication_needs_two_blind_independent_reviews(world):
    output_id = await world.in_review(kind="publication")
    client = world.client
    early = await client.post(
        f"/v1/outputs/{output_id}/decision",
        headers=world.as_("checker1"),
        json={"decision": "approve", "reason": "fine"},
    )
    assert early.status_code == 409 and "2 independent reviews" in early.json()["detail"]
    first = await client.post(
        f"/v1/outputs/{output_id}/votes",
        headers=world.as_("checker1"),
        json={"vote": "approve", "reason": "safe"},
    )
    assert first.status_code == 201
    duplicate = await client.post(
        f"/v1/outputs/{output_id}/votes",
        headers=world.as_("checker1"),
        json={"vote": "reject", "reason": "second thoughts"},
    )
    assert duplicate.status_code == 409
    # the second checker sees nothing of the first vote before casting their own
    blind = (
        await client.get(f"/v1/outputs/{output_id}/votes", headers=world.as_("checker2"))
    ).json()
    assert blind == {"needed": 2, "received": 1, "blind": True, "votes": []}
    own = (await client.get(f"/v1/outputs/{output_id}/votes", headers=world.as_("checker1"))).json()
    assert [v["checker_id"] for v in own["votes"]] == ["chk-1"]
    await client.post(
        f"/v1/outputs/{output_id}/votes",
        headers=world.as_("checker2"),
        json={"vote": "reject", "reason": "dominance in Table 3"},
    )
    open_votes = (
        await client.get(f"/v1/outputs/{output_id}/votes", headers=world.as_("checker2"))
    ).json()
    assert open_votes["blind"] is False
    assert {v["vote"] for v in open_votes["votes"]} == {"approve", "reject"}
    assert (
        await client.get(f"/v1/outputs/{output_id}/votes", headers=world.as_("alice"))
    ).status_code == 403
    third = await client.post(
        f"/v1/outputs/{output_id}/votes",
        headers=world.as_("support"),
        json={"vote": "approve", "reason": "fine"},
    )
    assert third.status_code == 403
    decided = await client.post(
        f"/v1/outputs/{output_id}/decision",
        headers=world.as_("checker1"),
        json={"decision": "reject", "reason": "consolidated: dominance"},
    )
    assert decided.json()["status"] == "rejected"


async def test_clarification_stops_the_clock_and_the_answer_restarts_it(world):
    output_id = await world.in_review()
    client = world.client
    world.clock.advance(days=1)  # Thursday 26th 10:00
    asked = await client.post(
        f"/v1/outputs/{output_id}/clarification",
        headers=world.as_("checker1"),
        json={"text": "Is South rounded?"},
    )
    assert asked.json()["status"] == "clarification_requested"
    assert await world.events("srs.output.clarification_requested.v1")
    bob = await client.post(
        f"/v1/outputs/{output_id}/clarification/response",
        headers=world.as_("bob"),
        json={"text": "yes"},
    )
    assert bob.status_code == 403
    early_decision = await client.post(
        f"/v1/outputs/{output_id}/decision",
        headers=world.as_("checker1"),
        json={"decision": "approve", "reason": "fine"},
    )
    assert early_decision.status_code == 409
    assert early_decision.json()["current_state"] == "clarification_requested"
    world.clock.advance(days=5)  # Tuesday 1 Dec 10:00: three working days paused
    answered = await client.post(
        f"/v1/outputs/{output_id}/clarification/response",
        headers=world.as_("alice"),
        json={"text": "Yes, base 5."},
    )
    assert answered.json()["status"] == "in_review"
    assert answered.json()["due_at"] == "2026-12-07T10:00:00Z"
    assert answered.json()["overdue"] is False
    again = await client.post(
        f"/v1/outputs/{output_id}/clarification/response",
        headers=world.as_("alice"),
        json={"text": "again"},
    )
    assert again.status_code == 409 and again.json()["current_state"] == "in_review"
    comments = (
        await client.get(f"/v1/outputs/{output_id}/comments", headers=world.as_("alice"))
    ).json()
    assert [c["body"] for c in comments] == ["Is South rounded?", "Yes, base 5."]


async def test_comments_private_for_checkers_shared_with_the_requester(world):
    output_id = await world.in_review()
    client = world.client
    await client.post(
        f"/v1/outputs/{output_id}/comments",
        headers=world.as_("checker1"),
        json={"body": "borderline; ask a second opinion", "visibility": "private"},
    )
    await client.post(
        f"/v1/outputs/{output_id}/comments",
        headers=world.as_("checker1"),
        json={"body": "please add the table notes", "visibility": "shared"},
    )
    mine = (
        await client.get(f"/v1/outputs/{output_id}/comments", headers=world.as_("alice"))
    ).json()
    assert [c["body"] for c in mine] == ["please add the table notes"]
    checkers = (
        await client.get(f"/v1/outputs/{output_id}/comments", headers=world.as_("checker2"))
    ).json()
    assert len(checkers) == 2
    private = await client.post(
        f"/v1/outputs/{output_id}/comments",
        headers=world.as_("alice"),
        json={"body": "secret", "visibility": "private"},
    )
    assert private.status_code == 403


@pytest.mark.parametrize("kind", ["pre_publication"])
async def test_concurrent_decisions_exactly_one_wins(world, kind):
    output_id = await world.in_review(kind=kind)
    await world.reviewed(output_id)

    async def decide(checker, decision):
        return await world.client.post(
            f"/v1/outputs/{output_id}/decision",
            headers=world.as_(checker),
            json={"decision": decision, "reason": "decided"},
        )

    responses = await asyncio.gather(decide("checker1", "approve"), decide("checker2", "reject"))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409]
    decided = [
        e
        for e in await world.events()
        if e["type"] in {"srs.output.approved.v1", "srs.output.rejected.v1"}
    ]
    assert len(decided) == 1


async def test_time_to_decision_is_exported(world):
    output_id = await world.in_review()
    world.clock.advance(hours=30)
    await world.client.post(
        f"/v1/outputs/{output_id}/decision",
        headers=world.as_("checker1"),
        json={"decision": "approve", "reason": "safe"},
    )
    # Metrics are served on their own port (srs_common.metrics), by this app:
    import httpx

    from srs_common.metrics import MetricsApp

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(MetricsApp()), base_url="http://metrics"
    ) as scrape:
        metrics = (await scrape.get("/metrics")).text
    line = next(
        m
        for m in metrics.splitlines()
        if m.startswith(
            'srs_clearance_time_to_decision_seconds_count{decision="approved",kind="pre_publication"}'
        )
    )
    assert float(line.split()[-1]) >= 1


async def test_a_checker_relaxes_the_rules_for_one_request_only(world):
    from ..conftest import FAILING_CSV

    output_id = await world.submitted(files=[("t.csv", FAILING_CSV)])
    client = world.client
    tighter = await client.post(
        f"/v1/outputs/{output_id}/recheck", headers=world.as_("checker1"), json={"threshold": 20}
    )
    assert tighter.status_code == 422 and tighter.json()["rule"] == "rules_relax_only"
    by_researcher = await client.post(
        f"/v1/outputs/{output_id}/recheck", headers=world.as_("bob"), json={"threshold": 3}
    )
    assert by_researcher.status_code == 403
    relaxed = await client.post(
        f"/v1/outputs/{output_id}/recheck", headers=world.as_("checker1"), json={"threshold": 3}
    )
    assert relaxed.status_code == 200, relaxed.text
    assert relaxed.json()["automatic_status"] == "pass"
    assert relaxed.json()["check_report"]["rules"]["threshold"] == 3
    assert relaxed.json()["check_report"]["relaxed_by"] == "chk-1"
    statuses = [e["automatic_status"] for e in await world.events("srs.output.checked.v1")]
    assert statuses == ["fail", "pass"]
    # another request of the same project still gets the catalogue's threshold
    other = await world.submitted(files=[("t.csv", FAILING_CSV)])
    body = (await client.get(f"/v1/outputs/{other}", headers=world.as_("alice"))).json()
    assert body["automatic_status"] == "fail"
    await client.post(f"/v1/outputs/{output_id}/withdraw", headers=world.as_("alice"))
    late = await client.post(
        f"/v1/outputs/{output_id}/recheck", headers=world.as_("checker1"), json={"threshold": 3}
    )
    assert late.status_code == 409 and late.json()["current_state"] == "withdrawn"
