"""People and projects by name on the staff pages, never by a bare id: the checker's
queue and request page (the requester's name and the project's title from the clearance
API), the panel's queue and an application's page (the applicant's name from the
accreditation API), support's researcher and cascade pages; organisations by name (the access
service's public directory). Ids stay only as small-print references."""

from __future__ import annotations

import datetime as dt
import re

from srs_common.contracts.accreditation import ResearcherRegistered

from ..conftest import sign_in
from .active_project import active_project as active_project_of
from .staff_world import accreditation_application, as_user, profile
from .test_portal_accreditation import submitted_application
from .test_portal_bookings import active_project
from .test_portal_checking import in_review
from .test_portal_support import accredited_alice, booked

NOW = dt.datetime.now(dt.UTC)


def text_of(html: str) -> str:
    """What a person reads: the page's words without tags, small print removed."""
    html = re.sub(r'<span class="govuk-body-s srs-ref">[^<]*</span>', "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def row(html: str, key: str) -> str:
    """A summary list row's value, by its key."""
    start = html.index(f">{key}</dt>") if f">{key}</dt>" in html else html.index(key)
    return html[start : html.index("</dd>", start)]


async def test_the_checker_sees_who_asked_and_for_which_project(world, deliver):
    await deliver(
        world["clearance"],
        ResearcherRegistered(
            researcher_id="res-alice",
            name="Alice Example",
            email="alice@ntu.example",
            organisation_id="org-ntu",
            occurred_at=NOW,
        ),
        subject="res-alice",
        source="/srs/accreditation",
    )
    output_id = await in_review(world, deliver)
    await sign_in(world, username="checker", password="checker-demo", next_path="/checking")
    queue = await world["portal"].get("/checking")
    entry = queue.text[queue.text.index(f'data-output="{output_id}"') :]
    entry = entry[: entry.index("</tr>")]
    assert "Burglary security effectiveness, from Alice Example" in entry
    assert "prj_" not in text_of(entry) and "res-alice" not in entry

    page = await world["portal"].get(f"/checking/outputs/{output_id}")
    requested_by = row(page.text, "Requested by")
    assert "Alice Example" in requested_by
    assert "res-alice" not in text_of(requested_by)  # the id only in small print
    caption = page.text[page.text.index('id="output-project"') :]
    caption = caption[: caption.index("</h1>")]
    assert "Burglary security effectiveness" in text_of(caption)


async def test_the_panel_sees_applicants_by_name(world):
    application_id = await accreditation_application(world, "res-alice", "Alice Example", "alice")
    await as_user(world, "panel")
    queue = await world["portal"].get("/panel")
    table = queue.text[queue.text.index('id="accreditation-queue"') :]
    table = table[: table.index("</table>")]
    assert ">Alice Example</a>" in table
    assert "res-alice" not in text_of(table)
    page = await world["portal"].get(f"/panel/accreditation-applications/{application_id}")
    applicant = row(page.text, "Applicant")
    assert "Alice Example" in applicant and "res-alice" not in text_of(applicant)
    qualifications = page.text[page.text.index('id="qualifications"') :]
    organisation = row(qualifications, "Organisation")
    assert "Nottingham Trent University" in organisation
    assert "org-ntu" not in text_of(organisation)


async def test_supports_cascade_page_names_the_researcher(world):
    await profile(world, "res-alice", "Alice Example", "alice")
    await as_user(world, "support")
    page = await world["portal"].get("/support/researchers/res-alice/cascade")
    assert page.status_code == 200
    caption = page.text[page.text.index('class="govuk-caption-l"') :]
    caption = caption[: caption.index("</h1>")]
    assert "Alice Example" in caption and "res-alice" not in text_of(caption)
    researcher = await world["portal"].get("/support/researchers/res-alice")
    organisation = row(researcher.text, "Organisation")
    assert "Nottingham Trent University" in organisation
    assert "org-ntu" not in text_of(organisation)


async def test_the_public_register_names_the_organisation(world):
    application_id = await submitted_application(world)
    approved = await world["accreditation"].post(
        f"/v1/applications/{application_id}/approve",
        headers=world["tokens"].headers("panel", sub="panel-1"),
        json={"reason": "Meets the criteria."},
    )
    assert approved.status_code == 200, approved.text
    register = await world["portal"].get("/register/researchers")
    entry = register.text[register.text.index("Alice Example") :]
    entry = entry[: entry.index("</tr>")]
    assert "Nottingham Trent University" in entry and "org-ntu" not in entry


async def test_supports_search_results_name_researchers_projects_and_sites(world, deliver):
    project_id = await active_project(world, deliver)
    await accredited_alice(world)
    booking = await booked(world, project_id)
    await as_user(world, "support")
    by_title = await world["portal"].get("/support", params={"q": "burglary"})
    projects = by_title.text[by_title.text.index('id="found-projects"') :]
    projects = projects[: projects.index("</table>")]
    assert "Alice Example" in projects and "res-alice" not in text_of(projects)
    by_researcher = await world["portal"].get("/support", params={"q": "res-alice"})
    bookings = by_researcher.text[by_researcher.text.index('id="found-bookings"') :]
    bookings = bookings[: bookings.index("</table>")]
    assert booking["id"] in bookings
    assert "Alice Example" in bookings and "Titchfield" in bookings
    assert "res-alice" not in text_of(bookings)


async def test_home_working_names_colleagues_by_their_researcher_records(world, deliver):
    project_id = await active_project_of(world, deliver, ("res-alice", "res-bob"))
    for researcher_id, name in (("res-alice", "Alice Example"), ("res-bob", "Bob Example")):
        await deliver(
            world["projects"],
            ResearcherRegistered(
                researcher_id=researcher_id,
                name=name,
                email=f"{researcher_id}@ntu.example",
                organisation_id="org-ntu",
                occurred_at=NOW,
            ),
            subject=researcher_id,
            source="/srs/accreditation",
        )
    await sign_in(world, next_path="/home-working")
    form = await world["portal"].get("/home-working/apply")
    assert project_id and "You (Alice Example)" in form.text  # the record, not the login
    assert "Bob Example" in form.text
    for researcher_id in ("res-alice", "res-bob"):
        label = form.text[form.text.index(f'value="{researcher_id}"') :]
        label = label[: label.index("</label>")]
        assert researcher_id not in text_of(label[label.index(">") :])
