"""A project's page for its lead: members by name, an extension asked for, the project
completed with its final publications, against the real projects service."""

from __future__ import annotations

import datetime as dt
import re

from srs_common.contracts.access import ProjectSpaceProvisioned
from srs_common.contracts.accreditation import ResearcherRegistered

from ..conftest import sign_in
from .test_portal_projects import END, START, accredit, csrf_of

NOW = dt.datetime.now(dt.UTC)


def headers(world, who: str):
    return world["tokens"].headers("researcher", sub=who, researcher_id=f"res-{who}", org="org-ntu")


async def active_project(world, deliver, *, with_bob: bool = True) -> str:
    """Alice's project with Bob as a researcher, approved by the panel, its space
    provisioned; both researchers' records known to the projects service."""
    projects = world["projects"]
    for who, name in (("alice", "Alice Example"), ("bob", "Bob Example")):
        await accredit(world, deliver, f"res-{who}")
        await deliver(
            projects,
            ResearcherRegistered(
                researcher_id=f"res-{who}",
                name=name,
                email=f"{who}@example.ac.uk",
                organisation_id="org-ntu",
                occurred_at=NOW,
            ),
            subject=f"res-{who}",
            source="/srs/accreditation",
        )
    alice = headers(world, "alice")
    drafted = await projects.post(
        "/v1/projects",
        headers=alice,
        json={
            "title": "Burglary security effectiveness",
            "lay_summary": "Which home security measures protect against burglary.",
            "public_benefit": "Evidence for crime prevention advice.",
            "legal_gateway": "DEA",
            "dataset_ids": ["ds-csew-2019"],
            "expected_start_date": str(START),
            "expected_end_date": str(END),
            "ethics_confirmed": True,
            "data_source_acknowledged": True,
        },
    )
    assert drafted.status_code == 201, drafted.text
    project_id = drafted.json()["id"]
    if with_bob:
        added = await projects.post(
            f"/v1/projects/{project_id}/members",
            headers=alice,
            json={"researcher_id": "res-bob", "role": "researcher"},
        )
        assert added.status_code == 201, added.text
    assert (
        await projects.post(f"/v1/projects/{project_id}/submit", headers=alice)
    ).status_code == 200
    panel = world["tokens"].headers("panel", sub="panel-1")
    assert (
        await projects.post(f"/v1/projects/{project_id}/review", headers=panel)
    ).status_code == 200
    approved = await projects.post(
        f"/v1/projects/{project_id}/approve",
        headers=panel,
        json={"reason": "Clear public benefit", "conditions": "Outputs by region only"},
    )
    assert approved.status_code == 200, approved.text
    await deliver(
        projects,
        ProjectSpaceProvisioned(
            project_id=project_id,
            space_id=f"spc-{project_id}",
            dataset_ids=["ds-csew-2019"],
            accounts_enabled=["res-alice", "res-bob"],
            provisioned_at=NOW,
        ),
        subject=project_id,
        source="/srs/access",
    )
    return str(project_id)


async def test_the_lead_sees_names_asks_for_an_extension_and_completes(world, deliver):
    project_id = await active_project(world, deliver)
    await sign_in(world)
    portal = world["portal"]
    page = await portal.get(f"/projects/{project_id}")
    assert page.status_code == 200, page.text
    members = page.text[page.text.index('id="members"') :]
    members = members[: members.index("</table>")]
    assert "Alice Example" in members and "Bob Example" in members
    # A name, never the bare id: the id only in small print after it, for staff to quote.
    assert 'Bob Example <span class="govuk-body-s srs-ref">res-bob</span>' in members
    assert "res-bob" not in re.sub(r'<span class="govuk-body-s srs-ref">[^<]*</span>', "", members)
    assert "Outputs by region only" in page.text  # the panel's conditions
    assert 'id="request-extension"' in page.text and 'id="complete-project"' in page.text
    csrf = csrf_of(page)
    later = END + dt.timedelta(days=180)
    extension = {
        "extend-day": str(later.day),
        "extend-month": str(later.month),
        "extend-year": str(later.year),
        "extension_reason": "Survey wave delayed by six months.",
    }
    no_token = await portal.post(f"/projects/{project_id}/extensions", data=extension)
    assert no_token.status_code == 403
    bad = await portal.post(
        f"/projects/{project_id}/extensions",
        data={**extension, "extend-month": "13", "extension_reason": "", "csrf_token": csrf},
    )
    assert bad.status_code == 422
    assert 'href="#extend"' in bad.text and 'href="#extension_reason"' in bad.text
    earlier = END - dt.timedelta(days=10)
    refused = await portal.post(
        f"/projects/{project_id}/extensions",
        data={
            **extension,
            "extend-day": str(earlier.day),
            "extend-month": str(earlier.month),
            "extend-year": str(earlier.year),
            "csrf_token": csrf,
        },
    )
    assert refused.status_code == 422 and "There is a problem" in refused.text
    asked = await portal.post(
        f"/projects/{project_id}/extensions", data={**extension, "csrf_token": csrf}
    )
    assert asked.status_code == 303, asked.text
    page = await portal.get(f"/projects/{project_id}")
    listed = page.text[page.text.index('id="extension-list"') :]
    assert str(later) in listed and "Waiting for service staff to decide" in listed
    unconfirmed = await portal.post(
        f"/projects/{project_id}/complete",
        data={"publication-1-title": "Burglary and home security", "csrf_token": csrf},
    )
    assert unconfirmed.status_code == 422 and 'href="#confirm"' in unconfirmed.text
    completed = await portal.post(
        f"/projects/{project_id}/complete",
        data={
            "publication-1-title": "Burglary and home security",
            "publication-1-url": "https://doi.org/10.1000/xyz",
            "confirm": "yes",
            "csrf_token": csrf,
        },
    )
    assert completed.status_code == 303, completed.text
    page = await portal.get(f"/projects/{project_id}")
    assert "Completed" in page.text
    publications = page.text[page.text.index('id="final-publications"') :]
    assert 'href="https://doi.org/10.1000/xyz">Burglary and home security</a>' in publications
    assert 'id="complete-project"' not in page.text


async def test_a_member_who_does_not_lead_cannot_extend_or_complete(world, deliver):
    project_id = await active_project(world, deliver)
    await sign_in(world, username="bob", password="bob-demo")
    portal = world["portal"]
    page = await portal.get(f"/projects/{project_id}")
    assert page.status_code == 200
    assert 'id="request-extension"' not in page.text and 'id="complete-project"' not in page.text
    refused = await portal.post(
        f"/projects/{project_id}/complete", data={"confirm": "yes", "csrf_token": csrf_of(page)}
    )
    assert refused.status_code == 422
    assert "only the lead researcher can do this" in refused.text
    read = await world["projects"].get(f"/v1/projects/{project_id}", headers=headers(world, "bob"))
    assert read.json()["status"] == "active"


async def test_another_researcher_cannot_see_or_change_the_project(world, deliver):
    project_id = await active_project(world, deliver, with_bob=False)
    await sign_in(world, username="bob", password="bob-demo")
    portal = world["portal"]
    dashboard = await portal.get("/dashboard")
    page = await portal.get(f"/projects/{project_id}")
    assert page.status_code == 404 and "Burglary" not in page.text
    for path, data in (
        (f"/projects/{project_id}/complete", {"confirm": "yes"}),
        (
            f"/projects/{project_id}/extensions",
            {
                "extend-day": "1",
                "extend-month": "1",
                "extend-year": str(END.year + 1),
                "extension_reason": "Not my project",
            },
        ),
    ):
        response = await portal.post(path, data={**data, "csrf_token": csrf_of(dashboard)})
        assert response.status_code == 404, (path, response.status_code)
        assert "Burglary" not in response.text
