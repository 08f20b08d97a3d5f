"""A case study on the lead's project page: staff's request with consent and decline
buttons (CSRF), and the public register marking only a consenting project, against the
real projects service."""

from __future__ import annotations

from ..conftest import sign_in
from .staff_world import as_user
from .test_portal_project_actions import active_project, headers
from .test_portal_projects import csrf_of

PAPER = {"title": "Burglary and home security", "url": "https://doi.org/10.1000/xyz"}


async def nominated_project(world, deliver) -> str:
    project_id = await active_project(world, deliver)
    projects = world["projects"]
    done = await projects.post(
        f"/v1/projects/{project_id}/complete",
        headers=headers(world, "alice"),
        json={"final_publications": [PAPER]},
    )
    assert done.status_code == 200, done.text
    nominated = await projects.post(
        f"/v1/projects/{project_id}/case-study",
        headers=world["tokens"].headers("support", sub="support-1"),
        json={"reason": "Outstanding collaboration with the data owners."},
    )
    assert nominated.status_code == 200, nominated.text
    return project_id


async def test_the_lead_consents_and_the_register_shows_the_case_study(world, deliver):
    project_id = await nominated_project(world, deliver)
    portal = world["portal"]
    register = await portal.get("/register/projects")
    assert "Burglary and home security" in register.text and "Case study" not in register.text
    await sign_in(world)
    page = await portal.get(f"/projects/{project_id}")
    assert 'id="consent-case-study"' in page.text and 'id="decline-case-study"' in page.text
    assert "Outstanding collaboration with the data owners." in page.text
    forged = await portal.post(f"/projects/{project_id}/case-study", data={"consent": "yes"})
    assert forged.status_code in (400, 403)
    unanswered = await portal.post(
        f"/projects/{project_id}/case-study", data={"csrf_token": csrf_of(page)}
    )
    assert "Choose whether you consent to the case study" in unanswered.text
    done = await portal.post(
        f"/projects/{project_id}/case-study", data={"consent": "yes", "csrf_token": csrf_of(page)}
    )
    assert done.status_code == 303, done.text
    page = await portal.get(f"/projects/{project_id}")
    assert "You consented to a case study" in page.text
    assert 'id="consent-case-study"' not in page.text
    register = await portal.get("/register/projects")
    assert "Burglary and home security; Case study" in register.text


async def test_a_member_who_does_not_lead_cannot_answer(world, deliver):
    project_id = await nominated_project(world, deliver)
    await sign_in(world, username="bob", password="bob-demo")
    portal = world["portal"]
    page = await portal.get(f"/projects/{project_id}")
    assert page.status_code == 200 and 'id="consent-case-study"' not in page.text
    refused = await portal.post(
        f"/projects/{project_id}/case-study", data={"consent": "yes", "csrf_token": csrf_of(page)}
    )
    assert "only the lead researcher can do this" in refused.text
    read = await world["projects"].get(f"/v1/projects/{project_id}", headers=headers(world, "bob"))
    assert read.json()["case_study"]["status"] == "nominated"


async def test_support_nominates_a_completed_project_from_its_page(world, deliver):
    project_id = await active_project(world, deliver)
    projects = world["projects"]
    await as_user(world, "support")
    portal = world["portal"]
    found = await portal.get("/support", params={"q": project_id})
    assert f'href="/support/projects/{project_id}"' in found.text
    page = await portal.get(f"/support/projects/{project_id}")
    assert page.status_code == 200
    assert 'id="nominate-case-study"' not in page.text  # still active
    done = await projects.post(
        f"/v1/projects/{project_id}/complete",
        headers=headers(world, "alice"),
        json={"final_publications": [PAPER]},
    )
    assert done.status_code == 200, done.text
    page = await portal.get(f"/support/projects/{project_id}")
    assert 'id="nominate-case-study"' in page.text and "Burglary and home security" in page.text
    url = f"/support/projects/{project_id}/case-study"
    forged = await portal.post(url, data={"reason": "A fine example."})
    assert forged.status_code in (400, 403)
    empty = await portal.post(url, data={"reason": "", "csrf_token": csrf_of(page)})
    assert empty.status_code == 422 and "There is a problem" in empty.text
    nominated = await portal.post(
        url, data={"reason": "Strong public benefit.", "csrf_token": csrf_of(page)}
    )
    assert nominated.status_code == 303, nominated.text
    page = await portal.get(f"/support/projects/{project_id}")
    assert "Nominated: waiting for the lead" in page.text
    read = await projects.get(f"/v1/projects/{project_id}", headers=headers(world, "alice"))
    assert read.json()["case_study"]["reason"] == "Strong public benefit."


async def test_a_researcher_cannot_reach_supports_project_page(world, deliver):
    project_id = await active_project(world, deliver)
    await sign_in(world)
    portal = world["portal"]
    dashboard = await portal.get("/dashboard")
    page = await portal.get(f"/support/projects/{project_id}")
    assert page.status_code in (403, 404)
    posted = await portal.post(
        f"/support/projects/{project_id}/case-study",
        data={"reason": "Nominate my own project.", "csrf_token": csrf_of(dashboard)},
    )
    assert posted.status_code in (403, 404)
    read = await world["projects"].get(
        f"/v1/projects/{project_id}", headers=headers(world, "alice")
    )
    assert read.json()["case_study"] is None
