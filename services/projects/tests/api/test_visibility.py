"""Object-level security on every route: who must not see or change a project."""

from __future__ import annotations

OUTSIDER_ROUTES = [
    ("GET", "", None),
    ("PATCH", "", {"title": "Hijacked title"}),
    ("POST", "/submit", None),
    ("POST", "/resubmit", None),
    ("POST", "/members", {"researcher_id": "res-eve", "role": "researcher"}),
    ("DELETE", "/members/res-alice", None),
    ("POST", "/extensions", {"expected_end_date": "2099-01-01", "reason": "more time"}),
    ("GET", "/extensions", None),
    ("POST", "/complete", {}),
]


async def test_a_researcher_outside_the_project_gets_404_and_changes_nothing(projects, client):
    await projects.accredit("res-eve")
    project_id = await projects.active()
    before = await projects.get(project_id)
    events_before = await projects.events()
    for method, suffix, body in OUTSIDER_ROUTES:
        response = await client.request(
            method,
            f"/v1/projects/{project_id}{suffix}",
            json=body,
            headers=projects.researcher("res-eve"),
        )
        assert response.status_code == 404, (method, suffix, response.text)
        assert response.json()["detail"] == f"project {project_id} not found"
    assert await projects.get(project_id) == before
    assert await projects.events() == events_before


PANEL_ROUTES = [
    ("/review", None),
    ("/request-information", {"reason": "tell us more"}),
    ("/approve", {"reason": "looks fine"}),
    ("/reject", {"reason": "no benefit"}),
]


async def test_panel_routes_refuse_others_and_never_see_drafts(projects, client):
    submitted = await projects.submitted()
    draft = await projects.draft()
    for suffix, body in PANEL_ROUTES:
        for caller in (
            projects.researcher("res-alice"),
            projects.support,
            projects.tokens.headers("partner", org="org-ntu", scope="projects:read"),
        ):
            refused = await client.post(
                f"/v1/projects/{submitted}{suffix}", json=body, headers=caller
            )
            assert refused.status_code == 403, suffix
        hidden = await client.post(
            f"/v1/projects/{draft}{suffix}", json=body, headers=projects.panel
        )
        assert hidden.status_code == 404, suffix
    assert (await projects.get(draft))["status"] == "draft"
    assert (await projects.get(submitted))["status"] == "submitted"


SUPPORT_ROUTES = [
    ("/suspend", {"reason": "breach found"}),
    ("/resume", {"reason": "fixed now"}),
    ("/extensions/{ext}/approve", None),
    ("/extensions/{ext}/refuse", None),
]


async def test_support_routes_refuse_others(projects, client):
    project_id = await projects.active()
    ext = (
        await client.post(
            f"/v1/projects/{project_id}/extensions",
            headers=projects.researcher("res-alice"),
            json={"expected_end_date": "2099-01-01", "reason": "more"},
        )
    ).json()
    for suffix, body in SUPPORT_ROUTES:
        path = f"/v1/projects/{project_id}" + suffix.format(ext=ext["id"])
        for caller in (
            projects.researcher("res-alice"),
            projects.panel,
            projects.tokens.headers("partner", org="org-ntu", scope="projects:read"),
        ):
            assert (await client.post(path, json=body, headers=caller)).status_code == 403, path
    project = await projects.get(project_id)
    assert project["expected_end_date"] != "2099-01-01" and project["status"] == "active"


async def test_an_extension_is_only_found_under_its_own_project(projects, client):
    first = await projects.active()
    second = await projects.active()
    ext = (
        await client.post(
            f"/v1/projects/{first}/extensions",
            headers=projects.researcher("res-alice"),
            json={"expected_end_date": "2099-01-01", "reason": "more"},
        )
    ).json()
    wrong = await client.post(
        f"/v1/projects/{second}/extensions/{ext['id']}/approve", headers=projects.support
    )
    assert wrong.status_code == 404


async def test_who_sees_a_draft_and_a_submitted_project(projects, client):
    draft = await projects.draft()
    submitted = await projects.submitted()
    tokens = projects.tokens
    expectations = [
        (projects.researcher("res-alice"), 200, 200),
        (projects.researcher("res-eve"), 404, 404),
        (projects.panel, 404, 200),
        (projects.support, 200, 200),
        (tokens.headers("partner", org="org-ntu", scope="projects:read"), 200, 200),
        (tokens.headers("partner", org="org-other", scope="projects:read"), 404, 404),
        (tokens.headers("checker"), 404, 404),
        (tokens.headers("ops"), 404, 404),
        (tokens.headers("data_owner"), 404, 404),
    ]
    for headers, draft_status, submitted_status in expectations:
        assert (
            await client.get(f"/v1/projects/{draft}", headers=headers)
        ).status_code == draft_status
        assert (
            await client.get(f"/v1/projects/{submitted}", headers=headers)
        ).status_code == submitted_status
    assert (await client.get(f"/v1/projects/{draft}")).status_code == 401


async def test_lists_hold_only_what_the_caller_may_see(projects, client):
    await projects.accredit("res-bob", organisation_id="org-other")
    alice_draft = await projects.draft()
    bob_submitted = await projects.submitted("res-bob", organisation_id=None)

    async def ids(headers, **params):
        response = await client.get("/v1/projects", headers=headers, params=params)
        assert response.status_code == 200, response.text
        return [p["id"] for p in response.json()["items"]]

    assert await ids(projects.researcher("res-alice")) == [alice_draft]
    assert await ids(projects.researcher("res-bob")) == [bob_submitted]
    assert await ids(projects.panel) == [bob_submitted]
    ntu_partner = projects.tokens.headers("partner", org="org-ntu", scope="projects:read")
    assert await ids(ntu_partner) == [alice_draft]
    assert await ids(projects.tokens.headers("checker")) == []
    assert await ids(projects.support) == [alice_draft, bob_submitted]
    assert await ids(projects.support, status="submitted") == [bob_submitted]
    first = await client.get("/v1/projects", headers=projects.support, params={"limit": 1})
    second = await client.get(
        "/v1/projects",
        headers=projects.support,
        params={"limit": 1, "cursor": first.json()["next"]},
    )
    assert [p["id"] for p in second.json()["items"]] == [bob_submitted]
    assert second.json()["next"] is None
    bad = await client.get("/v1/projects", headers=projects.support, params={"cursor": "xyz"})
    assert bad.status_code == 422


async def test_support_finds_projects_by_title_or_member_and_a_filter_never_widens(
    projects, client
):
    await projects.accredit("res-alice")
    await projects.accredit("res-bob")
    burglary = await projects.submitted(title="Burglary 100% secure homes")
    wages = await projects.submitted(lead="res-bob", title="Regional wages")

    async def found(headers, **params) -> list[str]:
        response = await client.get("/v1/projects", headers=headers, params=params)
        assert response.status_code == 200, response.text
        return [p["id"] for p in response.json()["items"]]

    assert await found(projects.support, q="BURGLARY") == [burglary]
    assert await found(projects.support, q="0%") == [burglary]  # a wildcard is a character
    assert await found(projects.support, q=wages[-6:]) == [wages]  # part of the id
    assert await found(projects.support, researcher_id="res-bob") == [wages]
    assert await found(projects.support, researcher_id="res-bob", q="burglary") == []
    # Bob's own list stays his own, whatever he searches for.
    assert await found(projects.researcher("res-bob"), researcher_id="res-alice") == []
    assert await found(projects.researcher("res-bob"), q="burglary") == []
    too_long = await client.get("/v1/projects", headers=projects.support, params={"q": "x" * 201})
    assert too_long.status_code == 422
