"""Applications: drafting, eligibility on submit, the panel's decisions, who sees what."""

from __future__ import annotations

import asyncio

from srs_common.pagination import encode_cursor

NO_QUALIFICATIONS = {
    "degree": "none",
    "degree_quantitative": False,
    "quantitative_research_years": 1,
}


async def test_full_application_from_draft_to_grant(client, flow, events):
    await flow.register("res-alice")
    application = await flow.draft("res-alice", "full", statement="ten years of surveys")
    assert application["status"] == "draft"
    submitted = await flow.submit("res-alice", application["id"])
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"
    [event] = await events("srs.accreditation.application_submitted.v1")
    assert event["kind"] == "full" and event["resubmission"] is False

    approved = await flow.approve(application["id"], conditions="supervised outputs")
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["status"] == "approved"
    assert body["decided_by"] == "panel-1"
    assert body["conditions"] == "supervised outputs"
    [granted] = await events("srs.accreditation.granted.v1")
    assert granted["accreditation_id"] == body["accreditation_id"]
    assert granted["researcher_id"] == "res-alice"
    assert granted["organisation_id"] == "org-ntu"
    assert granted["status"] == "current"
    assert granted["conditions"] == "supervised outputs"


async def test_submit_refuses_full_without_quantitative_background_naming_the_rule(
    client, flow, events
):
    await flow.register("res-alice", qualifications=NO_QUALIFICATIONS)
    application = await flow.draft("res-alice", "full")
    refused = await flow.submit("res-alice", application["id"])
    assert refused.status_code == 422
    assert refused.json()["rule"] == "full_qualifications"
    still = await client.get(
        f"/v1/applications/{application['id']}", headers=flow.researcher("res-alice")
    )
    assert still.json()["status"] == "draft"
    assert await events("srs.accreditation.application_submitted.v1") == []


async def test_submit_refuses_without_training_date(flow):
    await flow.register("res-alice")
    application = await flow.draft("res-alice", "full", training_completed_on=None)
    refused = await flow.submit("res-alice", application["id"])
    assert refused.status_code == 422
    assert refused.json()["rule"] == "safe_researcher_training"


async def test_provisional_needs_a_currently_fully_accredited_supervisor(flow):
    await flow.register("res-student", qualifications=NO_QUALIFICATIONS)
    await flow.register("res-peer")  # registered, not accredited
    unaccredited = await flow.draft("res-student", "provisional", supervisor_id="res-peer")
    refused = await flow.submit("res-student", unaccredited["id"])
    assert refused.status_code == 422
    assert refused.json()["rule"] == "supervisor_fully_accredited"

    await flow.accredit("res-prof", "full")
    supervised = await flow.draft("res-student", "provisional", supervisor_id="res-prof")
    assert (await flow.submit("res-student", supervised["id"])).status_code == 200


async def test_a_provisional_researcher_cannot_supervise_but_an_srsa_approved_one_can(flow):
    await flow.accredit("res-srsa", "srsa_approved")
    await flow.register("res-junior", qualifications=NO_QUALIFICATIONS)
    await flow.accredit("res-junior", "provisional", register=False, supervisor_id="res-srsa")
    await flow.register("res-student", qualifications=NO_QUALIFICATIONS)
    under_provisional = await flow.draft("res-student", "provisional", supervisor_id="res-junior")
    refused = await flow.submit("res-student", under_provisional["id"])
    assert refused.status_code == 422
    assert refused.json()["rule"] == "supervisor_fully_accredited"


async def test_a_suspended_supervisor_cannot_supervise(client, flow):
    prof = await flow.accredit("res-prof", "full")
    await client.post(
        f"/v1/accreditations/{prof['id']}/suspend", json={"reason": "breach"}, headers=flow.support
    )
    await flow.register("res-student", qualifications=NO_QUALIFICATIONS)
    application = await flow.draft("res-student", "provisional", supervisor_id="res-prof")
    refused = await flow.submit("res-student", application["id"])
    assert refused.json()["rule"] == "supervisor_fully_accredited"


async def test_supervisor_at_another_organisation_per_policy(flow, service_client, tokens):
    await flow.accredit("res-prof", "full", org="org-ucl")
    await flow.register("res-student", qualifications=NO_QUALIFICATIONS)
    application = await flow.draft("res-student", "provisional", supervisor_id="res-prof")
    refused = await flow.submit("res-student", application["id"])
    assert refused.status_code == 422
    assert refused.json()["rule"] == "supervisor_same_organisation"
    async with service_client(
        "accreditation", truncate=False, supervisor_same_organisation=False
    ) as relaxed:
        allowed = await relaxed.post(
            f"/v1/applications/{application['id']}/submit", headers=flow.researcher("res-student")
        )
        assert allowed.status_code == 200, allowed.text


async def test_more_information_then_resubmission_then_rejection(client, flow, events):
    await flow.register("res-alice")
    application = await flow.submitted("res-alice")
    url = f"/v1/applications/{application['id']}"
    asked = await client.post(
        f"{url}/request-information",
        json={"reason": "Which datasets did you analyse?"},
        headers=flow.panel,
    )
    assert asked.status_code == 200, asked.text
    assert asked.json()["status"] == "information_requested"
    assert asked.json()["information_requested"] == "Which datasets did you analyse?"
    assert len(await events("srs.accreditation.information_requested.v1")) == 1
    # the panel cannot decide while the applicant is answering
    assert (await flow.approve(application["id"])).json()[
        "current_state"
    ] == "information_requested"
    edited = await client.patch(
        url, json={"statement": "LFS and APS"}, headers=flow.researcher("res-alice")
    )
    assert edited.status_code == 200 and edited.json()["statement"] == "LFS and APS"
    resubmitted = await flow.submit("res-alice", application["id"])
    assert resubmitted.json()["status"] == "resubmitted"
    assert [
        e["resubmission"] for e in await events("srs.accreditation.application_submitted.v1")
    ] == [False, True]
    rejected = await client.post(
        f"{url}/reject", json={"reason": "not enough evidence"}, headers=flow.panel
    )
    assert rejected.status_code == 200
    assert rejected.json()["decision_reason"] == "not enough evidence"
    [event] = await events("srs.accreditation.application_rejected.v1")
    assert event["reason"] == "not enough evidence"
    assert await events("srs.accreditation.granted.v1") == []


async def test_a_second_decision_is_409_naming_the_state(client, flow, events):
    await flow.register("res-alice")
    application = await flow.submitted("res-alice")
    assert (await flow.approve(application["id"])).status_code == 200
    again = await client.post(
        f"/v1/applications/{application['id']}/reject",
        json={"reason": "changed our mind"},
        headers=flow.panel,
    )
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["current_state"] == "approved"
    assert len(await events("srs.accreditation.granted.v1")) == 1


async def test_two_simultaneous_decisions_cannot_both_win(client, flow, events):
    await flow.register("res-alice")
    application = await flow.submitted("res-alice")
    url = f"/v1/applications/{application['id']}"
    approve, reject = await asyncio.gather(
        client.post(f"{url}/approve", json={"reason": "fine work"}, headers=flow.panel),
        client.post(f"{url}/reject", json={"reason": "poor work"}, headers=flow.panel),
    )
    assert sorted([approve.status_code, reject.status_code]) == [200, 409]
    final = (await client.get(url, headers=flow.panel)).json()["status"]
    granted = await events("srs.accreditation.granted.v1")
    rejected = await events("srs.accreditation.application_rejected.v1")
    assert len(granted) + len(rejected) == 1
    assert final == ("approved" if granted else "rejected")


async def test_two_simultaneous_approvals_grant_once(client, flow, events):
    await flow.register("res-alice")
    application = await flow.submitted("res-alice")
    first, second = await asyncio.gather(
        flow.approve(application["id"]), flow.approve(application["id"])
    )
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    assert len(await events("srs.accreditation.granted.v1")) == 1
    listed = await client.get("/v1/researchers/res-alice/accreditations", headers=flow.support)
    assert len(listed.json()) == 1


async def test_withdrawn_before_a_decision_and_not_after(client, flow):
    await flow.register("res-alice")
    application = await flow.submitted("res-alice")
    url = f"/v1/applications/{application['id']}/withdraw"
    withdrawn = await client.post(url, headers=flow.researcher("res-alice"))
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert (await flow.approve(application["id"])).json()["current_state"] == "withdrawn"
    decided = await flow.submitted("res-alice")
    await flow.approve(decided["id"])
    late = await client.post(
        f"/v1/applications/{decided['id']}/withdraw", headers=flow.researcher("res-alice")
    )
    assert late.status_code == 409 and late.json()["current_state"] == "approved"


async def test_applying_needs_a_profile_and_valid_input(client, flow):
    no_profile = await client.post(
        "/v1/applications", json={"kind": "full"}, headers=flow.researcher("res-ghost")
    )
    assert no_profile.status_code == 422 and no_profile.json()["rule"] == "profile_required"
    await flow.register("res-alice")
    bad = await client.post(
        "/v1/applications",
        json={"kind": "honorary", "training_completed_on": "yesterday"},
        headers=flow.researcher("res-alice"),
    )
    assert bad.status_code == 422
    assert {"body.kind", "body.training_completed_on"} <= {e["field"] for e in bad.json()["errors"]}


async def test_an_applicant_cannot_edit_after_submission(client, flow):
    await flow.register("res-alice")
    application = await flow.submitted("res-alice")
    edit = await client.patch(
        f"/v1/applications/{application['id']}",
        json={"statement": "late edit"},
        headers=flow.researcher("res-alice"),
    )
    assert edit.status_code == 409 and edit.json()["current_state"] == "submitted"


async def test_who_may_see_and_change_an_application(client, flow):
    await flow.register("res-alice", org="org-ntu")
    await flow.register("res-bob", org="org-ntu")
    draft = await flow.draft("res-alice")
    url = f"/v1/applications/{draft['id']}"
    bob = flow.researcher("res-bob")
    assert (await client.get(url, headers=flow.researcher("res-alice"))).status_code == 200
    assert (await client.get(url, headers=flow.support)).status_code == 200
    assert (await client.get(url, headers=flow.partner("org-ntu"))).status_code == 200
    assert (await client.get(url, headers=bob)).status_code == 404
    assert (await client.get(url, headers=flow.partner("org-ucl"))).status_code == 404
    assert (await client.get(url, headers=flow.panel)).status_code == 404  # a draft
    assert (await client.patch(url, json={"statement": "x"}, headers=bob)).status_code == 404
    assert (await client.post(f"{url}/submit", headers=bob)).status_code == 404
    assert (await client.post(f"{url}/withdraw", headers=bob)).status_code == 404
    await flow.submit("res-alice", draft["id"])
    assert (await client.get(url, headers=flow.panel)).status_code == 200
    for action, body in [
        ("approve", {"reason": "fine work"}),
        ("reject", {"reason": "no way"}),
        ("request-information", {"reason": "tell more"}),
    ]:
        for headers in (flow.researcher("res-alice"), flow.support, flow.partner("org-ntu")):
            response = await client.post(f"{url}/{action}", json=body, headers=headers)
            assert response.status_code == 403, (action, response.text)
    assert (await client.get(url, headers=flow.panel)).json()["status"] == "submitted"


async def test_listing_applications_is_scoped(client, flow):
    await flow.register("res-alice")
    await flow.register("res-bob")
    mine = await flow.draft("res-alice")
    submitted = await flow.submitted("res-bob")

    async def ids(headers, **params) -> list[str]:
        response = await client.get("/v1/applications", headers=headers, params=params)
        assert response.status_code == 200, response.text
        return [a["id"] for a in response.json()["items"]]

    assert await ids(flow.researcher("res-alice")) == [mine["id"]]
    assert await ids(flow.panel) == [submitted["id"]]
    assert set(await ids(flow.support)) == {mine["id"], submitted["id"]}
    assert await ids(flow.support, status="draft") == [mine["id"]]
    bad = await client.get("/v1/applications", headers=flow.support, params={"status": "lost"})
    assert bad.status_code == 422
    forged = encode_cursor(["not a time", "app_x"])
    bad_cursor = await client.get(
        "/v1/applications", headers=flow.support, params={"cursor": forged}
    )
    assert bad_cursor.status_code == 422 and bad_cursor.json()["title"] == "Invalid cursor"
    naive = encode_cursor(["2026-11-25T10:00:00", "app_x"])
    assert (
        await client.get("/v1/applications", headers=flow.support, params={"cursor": naive})
    ).status_code == 422
    page = (await client.get("/v1/applications", headers=flow.support, params={"limit": 1})).json()
    rest = await ids(flow.support, limit=1, cursor=page["next"])
    assert len(page["items"]) == 1 and len(rest) == 1 and rest[0] != page["items"][0]["id"]
