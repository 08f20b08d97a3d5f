"""Independent review is binding and blind: the consolidating decision waits for every
review, cannot quietly approve what all rejected, and no route shows a vote to another
checker before their own (nor ever to the requester)."""

from __future__ import annotations

import pytest

SECRET = "dominance in Table 3, cell North-2021"  # checker1's reason for rejecting
SECOND = "age band 85+ has three respondents"  # checker2's
OVERRIDE = "Table 3 is published by ONS at this level already; the dominance is public."


async def _both_rejected(world, kind="pre_publication"):
    output_id = await world.in_review(kind=kind)
    assert (await world.vote(output_id, "checker1", "reject", SECRET)).status_code == 201
    assert (await world.vote(output_id, "checker2", "reject", SECOND)).status_code == 201
    return output_id


async def test_approving_what_every_review_rejected_needs_a_recorded_override(world):
    output_id = await _both_rejected(world)
    client = world.client
    decide = f"/v1/outputs/{output_id}/decision"
    bare = await client.post(
        decide,
        headers=world.as_("checker1"),
        json={"decision": "approve", "reason": "looks fine to me"},
    )
    assert bare.status_code == 422
    assert bare.headers["content-type"] == "application/problem+json"
    assert bare.json()["rule"] == "override_reason"
    assert "every independent review rejected" in bare.json()["detail"]
    assert (await world.events("srs.output.approved.v1")) == []
    approved = await client.post(
        decide,
        headers=world.as_("checker1"),
        json={"decision": "approve", "reason": "cleared on override", "override_reason": OVERRIDE},
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["override_reason"] == OVERRIDE
    # the decision keeps the reason for checkers; the requester never learns how they voted
    as_checker = await client.get(f"/v1/outputs/{output_id}", headers=world.as_("checker2"))
    assert as_checker.json()["override_reason"] == OVERRIDE
    as_alice = await client.get(f"/v1/outputs/{output_id}", headers=world.as_("alice"))
    assert as_alice.json()["override_reason"] is None
    assert as_alice.json()["decision_reason"] == "cleared on override"
    assert OVERRIDE not in as_alice.text and SECRET not in as_alice.text
    trail = (
        await client.get(f"/v1/outputs/{output_id}/audit", headers=world.as_("support"))
    ).json()
    assert trail["intact"] is True
    override = [e for e in trail["entries"] if e["action"] == "override"]
    assert [(e["actor"], e["detail"]) for e in override] == [("chk-1", OVERRIDE)]
    assert trail["entries"][-1]["action"] == "approved"


async def test_an_override_is_only_for_approving_what_all_rejected(world):
    split = await world.in_review()
    await world.reviewed(split, ("checker1", "approve"), ("checker2", "reject"))
    misplaced = await world.client.post(
        f"/v1/outputs/{split}/decision",
        headers=world.as_("checker1"),
        json={"decision": "approve", "reason": "consolidated", "override_reason": OVERRIDE},
    )
    assert misplaced.status_code == 422 and misplaced.json()["rule"] == "override_reason"
    consolidated = await world.client.post(
        f"/v1/outputs/{split}/decision",
        headers=world.as_("checker1"),
        json={"decision": "approve", "reason": "consolidated"},
    )
    assert consolidated.status_code == 200 and consolidated.json()["override_reason"] is None
    rejected = await _both_rejected(world)
    agreed = await world.client.post(
        f"/v1/outputs/{rejected}/decision",
        headers=world.as_("checker1"),
        json={"decision": "reject", "reason": "both found dominance"},
    )
    assert agreed.status_code == 200 and agreed.json()["status"] == "rejected"


# Every route a checker can read about a request, as checker2 before casting their own vote.
ROUTES = [
    "/v1/outputs/{id}",
    "/v1/outputs/{id}/votes",
    "/v1/outputs/{id}/audit",
    "/v1/queue",
    "/v1/outputs/{id}/comments",
    "/v1/outputs",
    "/v1/outputs/{id}/status",
]


@pytest.mark.parametrize("route", ROUTES)
async def test_no_route_shows_a_vote_to_a_checker_before_their_own(world, route):
    output_id = await world.in_review(kind="publication")
    assert (await world.vote(output_id, "checker1", "reject", SECRET)).status_code == 201
    response = await world.client.get(route.format(id=output_id), headers=world.as_("checker2"))
    assert response.status_code == 200, response.text
    assert SECRET not in response.text
    body = response.json()
    if route.endswith("/votes"):
        assert (body["received"], body["blind"], body["votes"]) == (1, True, [])
    if route.endswith("/audit"):
        reviewed = [e for e in body["entries"] if e["action"] == "reviewed"]
        assert [(e["actor"], e["detail"]) for e in reviewed] == [("chk-1", None)]
    # once their own vote is in (and so every vote), checker2 sees checker1's
    assert (await world.vote(output_id, "checker2", "approve", "safe")).status_code == 201
    if route.endswith(("/votes", "/audit")):
        after = await world.client.get(route.format(id=output_id), headers=world.as_("checker2"))
        assert SECRET in after.text


async def test_the_audit_trail_shows_each_checker_their_own_vote_only_while_blind(world):
    output_id = await world.in_review()
    await world.vote(output_id, "checker1", "reject", SECRET)
    audit = f"/v1/outputs/{output_id}/audit"
    own = (await world.client.get(audit, headers=world.as_("checker1"))).json()
    assert [e["detail"] for e in own["entries"] if e["action"] == "reviewed"] == [
        f"reject: {SECRET}"
    ]
    support = (await world.client.get(audit, headers=world.as_("support"))).json()
    assert [e["detail"] for e in support["entries"] if e["action"] == "reviewed"] == [None]
    assert support["intact"] is True  # withheld from the view, not from the chain


async def test_the_requester_never_sees_the_votes_even_holding_the_checker_role(world, tokens):
    alice_checker = tokens.headers("researcher", "checker", researcher_id="res-alice")
    output_id = await _both_rejected(world)
    decided = await world.client.post(
        f"/v1/outputs/{output_id}/decision",
        headers=world.as_("checker1"),
        json={"decision": "approve", "reason": "cleared on override", "override_reason": OVERRIDE},
    )
    assert decided.status_code == 200
    votes = await world.client.get(f"/v1/outputs/{output_id}/votes", headers=alice_checker)
    assert votes.status_code == 403
    trail = await world.client.get(f"/v1/outputs/{output_id}/audit", headers=alice_checker)
    assert trail.status_code == 200
    assert SECRET not in trail.text and OVERRIDE not in trail.text
    for route in ("", "/comments", "/status"):
        for who in (alice_checker, world.as_("alice"), world.as_("bob")):
            response = await world.client.get(f"/v1/outputs/{output_id}{route}", headers=who)
            assert response.status_code == 200, (route, response.text)
            assert SECRET not in response.text and OVERRIDE not in response.text
            assert SECOND not in response.text
