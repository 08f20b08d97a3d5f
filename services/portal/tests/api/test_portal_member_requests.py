"""A request to add a member to an approved project, decided by support staff on the page
the notifier's e-mail links to, against the real projects service."""

from __future__ import annotations

from ..conftest import sign_in
from .test_portal_project_actions import active_project, headers
from .test_portal_projects import csrf_of


async def requested(world, deliver) -> tuple[str, str]:
    project_id = await active_project(world, deliver, with_bob=False)
    registered = await world["accreditation"].post(
        "/v1/researchers",
        headers=headers(world, "bob"),
        json={"name": "Bob Example", "email": "bob@example.ac.uk"},
    )
    assert registered.status_code == 201, registered.text
    asked = await world["projects"].post(
        f"/v1/projects/{project_id}/members",
        headers=headers(world, "alice"),
        json={"researcher_id": "res-bob", "role": "researcher"},
    )
    assert asked.status_code == 202, asked.text
    return project_id, asked.json()["id"]


async def test_support_approves_a_member_request(world, deliver):
    project_id, request_id = await requested(world, deliver)
    await sign_in(world, username="support", password="support-demo")
    portal = world["portal"]
    path = f"/projects/{project_id}/member-requests/{request_id}"
    page = await portal.get(path)
    assert page.status_code == 200, page.text
    summary = page.text[page.text.index('id="member-request"') :]
    assert "Bob Example" in summary and "Researcher" in summary
    assert "Burglary security effectiveness" in page.text
    assert (await portal.post(path, data={"decision": "approve"})).status_code == 403
    undecided = await portal.post(path, data={"csrf_token": csrf_of(page)})
    assert undecided.status_code == 422 and 'href="#decision"' in undecided.text
    unexplained = await portal.post(path, data={"decision": "refuse", "csrf_token": csrf_of(page)})
    assert unexplained.status_code == 422 and 'href="#reason"' in unexplained.text
    approved = await portal.post(path, data={"decision": "approve", "csrf_token": csrf_of(page)})
    assert approved.status_code == 303, approved.text
    page = await portal.get(path)
    assert "Approved: the member has joined" in page.text and 'id="decide"' not in page.text
    project = await world["projects"].get(
        f"/v1/projects/{project_id}", headers=headers(world, "alice")
    )
    assert "res-bob" in [m["researcher_id"] for m in project.json()["members"]]


async def test_researchers_cannot_decide_member_requests(world, deliver):
    project_id, request_id = await requested(world, deliver)
    await sign_in(world)  # Alice, the lead: she asked, staff decide
    portal = world["portal"]
    path = f"/projects/{project_id}/member-requests/{request_id}"
    page = await portal.get(path)
    assert page.status_code == 403
    dashboard = await portal.get("/dashboard")
    refused = await portal.post(
        path, data={"decision": "approve", "csrf_token": csrf_of(dashboard)}
    )
    assert refused.status_code == 403
    listed = await world["projects"].get(
        f"/v1/projects/{project_id}/member-requests", headers=headers(world, "alice")
    )
    assert [r["status"] for r in listed.json()] == ["requested"]


async def test_an_unknown_request_is_not_found(world, deliver):
    project_id, _ = await requested(world, deliver)
    await sign_in(world, username="support", password="support-demo")
    page = await world["portal"].get(f"/projects/{project_id}/member-requests/mrq_missing")
    assert page.status_code == 404
