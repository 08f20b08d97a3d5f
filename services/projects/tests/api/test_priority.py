"""Priority: the applicant may ask for it; only the panel grants it, and only granted
priority is published for other queues (clearance orders by ProjectApproved.priority)."""

from __future__ import annotations


async def test_an_applicant_cannot_declare_their_own_priority(projects, client, application):
    alice = projects.researcher("res-alice")
    declared = await client.post(
        "/v1/projects", headers=alice, json={**application, "priority": True}
    )
    assert declared.status_code == 422
    assert "granted by the Research Accreditation Panel" in declared.text

    project_id = await projects.draft(priority_requested=True)
    edited = await client.patch(
        f"/v1/projects/{project_id}", headers=alice, json={"priority": True}
    )
    assert edited.status_code == 422
    body = await projects.get(project_id)
    assert (body["priority_requested"], body["priority"]) == (True, False)


async def test_asked_for_but_not_granted_priority_is_never_published(projects, client):
    project_id = await projects.approved(priority_requested=True)
    [submitted] = await projects.events("srs.project.submitted.v1")
    [approved] = await projects.events("srs.project.approved.v1")
    assert submitted["priority"] is False and approved["priority"] is False
    listed = (await client.get("/v1/projects", headers=projects.panel)).json()["items"]
    assert [(p["id"], p["priority_requested"], p["priority"]) for p in listed] == [
        (project_id, True, False)
    ]


async def test_the_panel_grants_priority_and_the_approval_carries_it(projects, client):
    project_id = await projects.under_review(priority_requested=True)
    route = f"/v1/projects/{project_id}/priority"
    body = {"priority": True, "reason": "informs the government's COVID-19 response"}
    lead = await client.post(route, json=body, headers=projects.researcher("res-alice"))
    assert lead.status_code == 403
    granted = await client.post(route, json=body, headers=projects.panel)
    assert granted.status_code == 200, granted.text
    assert granted.json()["priority"] is True
    assert granted.json()["decisions"][-1]["action"] == "grant_priority"

    approved = await client.post(
        f"/v1/projects/{project_id}/approve",
        headers=projects.panel,
        json={"reason": "clear public benefit"},
    )
    assert approved.status_code == 200 and approved.json()["priority"] is True
    [event] = await projects.events("srs.project.approved.v1")
    assert event["priority"] is True
    # Decided: the priority is part of the approval and no longer changes.
    late = await client.post(route, json={**body, "priority": False}, headers=projects.panel)
    assert late.status_code == 409 and late.json()["current_state"] == "approved"


async def test_the_panel_can_grant_priority_in_its_decision_without_a_request(projects, client):
    project_id = await projects.under_review()
    approved = await client.post(
        f"/v1/projects/{project_id}/approve",
        headers=projects.panel,
        json={"reason": "urgent public health need", "priority": True},
    )
    assert approved.json()["priority"] is True
    assert approved.json()["priority_requested"] is False
    [event] = await projects.events("srs.project.approved.v1")
    assert event["priority"] is True
