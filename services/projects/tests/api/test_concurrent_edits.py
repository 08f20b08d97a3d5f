"""Two panel members deciding one application, two staff changing one project: the project
carries an ETag covering its row and its decisions; a stale If-Match is 412 and writes
nothing."""

from __future__ import annotations


async def test_a_panel_decision_on_a_stale_application_is_refused(projects, client, tokens):
    project_id = await projects.under_review(priority_requested=True)
    member_a = tokens.headers("panel", sub="panel-a")
    member_b = tokens.headers("panel", sub="panel-b")
    read = await client.get(f"/v1/projects/{project_id}", headers=member_b)
    tag = read.headers["etag"]
    # Panel member A withholds priority: the project row is as it was, but the decision
    # history is not, so the version moves.
    withheld = await client.post(
        f"/v1/projects/{project_id}/priority",
        json={"priority": False, "reason": "no deadline given"},
        headers={**member_a, "If-Match": tag},
    )
    assert withheld.status_code == 200, withheld.text
    assert withheld.headers["etag"] != tag
    # Member B, still reading the old page, approves: refused, nothing decided or published.
    stale = await client.post(
        f"/v1/projects/{project_id}/approve",
        json={"reason": "clear public benefit"},
        headers={**member_b, "If-Match": tag},
    )
    assert stale.status_code == 412
    assert stale.json()["resource"] == f"project {project_id}"
    assert stale.json()["current_etag"] == withheld.headers["etag"]
    now = await client.get(f"/v1/projects/{project_id}", headers=member_b)
    assert now.json()["status"] == "under_review"
    assert [d["action"] for d in now.json()["decisions"]][-1] == "withhold_priority"
    assert await projects.events("srs.project.approved.v1") == []
    # With the version B now sees, the approval goes through.
    approved = await client.post(
        f"/v1/projects/{project_id}/approve",
        json={"reason": "clear public benefit"},
        headers={**member_b, "If-Match": now.headers["etag"]},
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.headers["etag"] != now.headers["etag"]


async def test_staff_suspending_a_changed_project_get_412(projects, client, tokens):
    project_id = await projects.active()
    support = projects.support
    tag = (await client.get(f"/v1/projects/{project_id}", headers=support)).headers["etag"]
    suspended = await client.post(
        f"/v1/projects/{project_id}/suspend",
        json={"reason": "breach under investigation"},
        headers={**support, "If-Match": tag},
    )
    assert suspended.status_code == 200, suspended.text
    again = await client.post(
        f"/v1/projects/{project_id}/resume",
        json={"reason": "cleared"},
        headers={**support, "If-Match": tag},
    )
    assert again.status_code == 412
    assert (await projects.get(project_id))["status"] == "suspended"
    # No If-Match: as before.
    resumed = await client.post(
        f"/v1/projects/{project_id}/resume", json={"reason": "cleared"}, headers=support
    )
    assert resumed.status_code == 200, resumed.text


async def test_a_project_the_caller_may_not_see_is_404_not_412(projects, client, tokens):
    project_id = await projects.draft()
    # The panel never sees drafts.
    answer = await client.post(
        f"/v1/projects/{project_id}/review",
        headers={**tokens.headers("panel"), "If-Match": '"stale"'},
    )
    assert answer.status_code == 404 and "current_etag" not in answer.json()
