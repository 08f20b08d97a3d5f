"""Adding a member who will see data to an approved project is a request staff decide:
nothing tells access to enable an account before the approval."""

from __future__ import annotations

from srs_common.contracts.accreditation import AccreditationSuspended


async def ask(projects, project_id, researcher_id="res-bob", role="researcher", **extra):
    return await projects.client.post(
        f"/v1/projects/{project_id}/members",
        headers=projects.researcher("res-alice"),
        json={"researcher_id": researcher_id, "role": role, **extra},
    )


def decide(projects, project_id, request_id, verb, headers, **body):
    return projects.client.post(
        f"/v1/projects/{project_id}/member-requests/{request_id}/{verb}",
        headers=headers,
        json=body or None,
    )


async def member_ids(projects, project_id):
    return [m["researcher_id"] for m in (await projects.get(project_id))["members"]]


async def test_a_member_added_to_an_active_project_waits_for_staff(projects):
    await projects.accredit("res-bob")
    project_id = await projects.active()
    asked = await ask(projects, project_id)
    assert asked.status_code == 202, asked.text
    request = asked.json()
    assert (request["status"], request["researcher_id"], request["requested_by"]) == (
        "requested",
        "res-bob",
        "res-alice",
    )
    # Not a member yet, and nothing for access to enable an account with.
    assert await member_ids(projects, project_id) == ["res-alice"]
    assert await projects.events("srs.project.member_added.v1") == []
    [requested] = await projects.events("srs.project.member_requested.v1")
    assert (requested["request_id"], requested["researcher_id"], requested["_key"]) == (
        request["id"],
        "res-bob",
        project_id,
    )
    again = await ask(projects, project_id)
    assert again.status_code == 409 and request["id"] in again.json()["detail"]
    listed = await projects.client.get(
        f"/v1/projects/{project_id}/member-requests",
        params={"status": "requested"},
        headers=projects.researcher("res-alice"),
    )
    assert [r["id"] for r in listed.json()] == [request["id"]]

    # The lead cannot approve their own request, nor can the panel by default.
    for headers in (projects.researcher("res-alice"), projects.panel):
        refused = await decide(projects, project_id, request["id"], "approve", headers)
        assert refused.status_code == 403, refused.text
    approved = await decide(projects, project_id, request["id"], "approve", projects.support)
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["decided_by"]) == ("approved", "support-1")
    assert await member_ids(projects, project_id) == ["res-alice", "res-bob"]
    [added] = await projects.events("srs.project.member_added.v1")
    assert (added["researcher_id"], added["role"]) == ("res-bob", "researcher")
    twice = await decide(projects, project_id, request["id"], "approve", projects.support)
    assert twice.status_code == 409 and twice.json()["current_state"] == "approved"


async def test_staff_refuse_with_a_reason(projects):
    await projects.accredit("res-bob")
    project_id = await projects.approved()
    request_id = (await ask(projects, project_id)).json()["id"]
    no_reason = await decide(projects, project_id, request_id, "refuse", projects.support)
    assert no_reason.status_code == 422
    refused = await decide(
        projects,
        project_id,
        request_id,
        "refuse",
        projects.support,
        reason="no need for data access stated",
    )
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    [event] = await projects.events("srs.project.member_refused.v1")
    assert (event["researcher_id"], event["reason"], event["request_id"]) == (
        "res-bob",
        "no need for data access stated",
        request_id,
    )
    assert await member_ids(projects, project_id) == ["res-alice"]
    assert await projects.events("srs.project.member_added.v1") == []


async def test_the_panel_decides_when_the_setting_says_so(
    projects, service_client, tokens, deliver
):
    async with service_client("projects", truncate=False, member_approver="panel") as client:
        projects = type(projects)(client, tokens, deliver)
        await projects.accredit("res-bob")
        project_id = await projects.active()
        request_id = (await ask(projects, project_id)).json()["id"]
        support = await decide(projects, project_id, request_id, "approve", projects.support)
        assert support.status_code == 403 and "panel" in support.json()["detail"]
        panel = await decide(projects, project_id, request_id, "approve", projects.panel)
        assert panel.status_code == 200 and panel.json()["decided_by"] == "panel-1"
        assert len(await projects.events("srs.project.member_added.v1")) == 1


async def test_what_needs_no_approval_is_added_at_once(projects):
    await projects.accredit("res-bob")
    draft = await projects.draft()
    on_application = await ask(projects, draft)
    assert on_application.status_code == 201 and on_application.json()["active"] is True
    active = await projects.active()
    outputs_only = await ask(
        projects,
        active,
        researcher_id="rev-carol",
        role="peer_reviewer_outputs",
        name="Carol Reviewer",
    )
    assert outputs_only.status_code == 201
    assert await projects.events("srs.project.member_requested.v1") == []


async def test_the_lead_withdraws_a_pending_request(projects, client):
    await projects.accredit("res-bob")
    project_id = await projects.active()
    request_id = (await ask(projects, project_id)).json()["id"]
    withdrawn = await client.delete(
        f"/v1/projects/{project_id}/members/res-bob", headers=projects.researcher("res-alice")
    )
    assert withdrawn.status_code == 204
    late = await decide(projects, project_id, request_id, "approve", projects.support)
    assert late.status_code == 409 and late.json()["current_state"] == "withdrawn"
    assert await projects.events("srs.project.member_added.v1") == []


async def test_an_approval_checks_the_accreditation_again(projects):
    await projects.accredit("res-bob")
    project_id = await projects.active()
    request_id = (await ask(projects, project_id)).json()["id"]
    await projects.accredit("res-bob", contract=AccreditationSuspended, status="suspended")
    refused = await decide(projects, project_id, request_id, "approve", projects.support)
    assert refused.status_code == 422 and refused.json()["rule"] == "accreditation_required"
    assert await projects.events("srs.project.member_added.v1") == []


async def test_an_unaccredited_member_is_refused_before_any_request(projects):
    project_id = await projects.active()
    nobody = await ask(projects, project_id, researcher_id="res-none")
    assert nobody.status_code == 422 and nobody.json()["rule"] == "accreditation_required"
    assert await projects.events("srs.project.member_requested.v1") == []
