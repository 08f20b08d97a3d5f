"""A researcher's projects in the portal: the list, a project's page and the project
application form, against the real projects and access services."""

from __future__ import annotations

import datetime as dt
import re

from srs_common.contracts.accreditation import AccreditationGranted

from ..conftest import sign_in

TODAY = dt.datetime.now(dt.UTC).date()
START = TODAY + dt.timedelta(days=30)
END = TODAY + dt.timedelta(days=400)


def csrf_of(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


async def accredit(world, deliver, researcher_id: str) -> None:
    await deliver(
        world["projects"],
        AccreditationGranted(
            accreditation_id=f"acc-{researcher_id}",
            researcher_id=researcher_id,
            organisation_id="org-ntu",
            kind="full",
            status="current",
            valid_from=TODAY - dt.timedelta(days=10),
            valid_until=TODAY + dt.timedelta(days=1000),
            occurred_at=dt.datetime.now(dt.UTC),
        ),
        subject=researcher_id,
        source="/srs/accreditation",
    )


def application(**overrides) -> dict[str, object]:
    values: dict[str, object] = {
        "title": "Burglary security effectiveness",
        "lay_summary": "Which home security measures protect against burglary.",
        "public_benefit": "Evidence for crime prevention advice.",
        "dataset_ids": ["ds-csew-2019"],
        "legal_gateway": "DEA",
        "start-day": str(START.day),
        "start-month": str(START.month),
        "start-year": str(START.year),
        "end-day": str(END.day),
        "end-month": str(END.month),
        "end-year": str(END.year),
        "member-1-id": "res-bob",
        "member-1-role": "researcher",
        "confirmations": ["ethics", "data_source"],
        "priority_requested": "yes",
    }
    values.update(overrides)
    return values


async def test_signed_out_visitors_are_sent_to_sign_in(world):
    for path in ("/projects", "/projects/apply", "/projects/prj_x"):
        response = await world["portal"].get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/sign-in?next=%2Fprojects")


async def test_a_researcher_applies_for_a_project_and_sees_it(world, deliver):
    for researcher_id in ("res-alice", "res-bob"):
        await accredit(world, deliver, researcher_id)
    await sign_in(world, next_path="/projects")
    listing = await world["portal"].get("/projects")
    assert listing.status_code == 200 and listing.headers["cache-control"] == "no-store"
    assert 'href="/projects/apply"' in listing.text
    dashboard = await world["portal"].get("/dashboard")
    assert 'href="/projects"' in dashboard.text  # in the service navigation
    form = await world["portal"].get("/projects/apply")
    assert form.status_code == 200 and form.headers["cache-control"] == "no-store"
    # The catalogue's datasets, each with its access level and what it permits.
    assert "Crime Survey for England and Wales 2019" in form.text
    assert "Also from home, with an approved home working application." in form.text
    refused = await world["portal"].post("/projects/apply", data=application())
    assert refused.status_code == 403  # no CSRF token
    missing = await world["portal"].post(
        "/projects/apply",
        data=application(dataset_ids=[], legal_gateway="", csrf_token=csrf_of(form)),
    )
    assert missing.status_code == 422
    assert "There is a problem" in missing.text
    assert "Choose at least one dataset" in missing.text and 'href="#datasets"' in missing.text
    assert "Choose the legal gateway of the research" in missing.text
    done = await world["portal"].post("/projects/apply", data=application(csrf_token=csrf_of(form)))
    assert done.status_code == 303, done.text
    page_url = done.headers["location"]
    assert page_url.startswith("/projects/")
    page = await world["portal"].get(page_url)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert '<h1 class="govuk-heading-l">Burglary security effectiveness</h1>' in page.text
    assert "Submitted" in page.text
    assert "Digital Economy Act 2017" in page.text
    assert "Crime Survey for England and Wales 2019" in page.text
    assert "Safe setting, office or home" in page.text
    assert "Lead researcher" in page.text and "res-bob" in page.text
    assert "The project space is created once the panel has approved the project" in page.text
    listing = await world["portal"].get("/projects")
    assert "Burglary security effectiveness" in listing.text and "Submitted" in listing.text
    assert f'href="{page_url}"' in listing.text, listing.text[listing.text.find("project-list") :][
        :800
    ]


async def test_the_projects_apis_refusal_is_shown_against_the_field(world, deliver):
    await accredit(world, deliver, "res-alice")  # but not res-bob
    await sign_in(world)
    form = await world["portal"].get("/projects/apply")
    refused = await world["portal"].post(
        "/projects/apply", data=application(csrf_token=csrf_of(form))
    )
    assert refused.status_code == 422
    assert 'href="#member-1-id"' in refused.text
    assert "accreditation" in refused.text
    # Once bob is accredited, the same application goes through: the refused attempt's
    # draft is completed, not doubled.
    await accredit(world, deliver, "res-bob")
    done = await world["portal"].post(
        "/projects/apply", data=application(csrf_token=csrf_of(refused))
    )
    assert done.status_code == 303, done.text
    mine = await world["projects"].get(
        "/v1/projects",
        headers=world["tokens"].headers(
            "researcher", sub="alice", researcher_id="res-alice", org="org-ntu"
        ),
    )
    assert [p["status"] for p in mine.json()["items"]] == ["submitted"]


async def test_an_unaccredited_lead_is_told_why(world):
    await sign_in(world)
    form = await world["portal"].get("/projects/apply")
    refused = await world["portal"].post(
        "/projects/apply", data=application(**{"member-1-id": "", "csrf_token": csrf_of(form)})
    )
    assert refused.status_code == 422
    assert "accreditation" in refused.text.lower()


async def test_another_researcher_cannot_see_the_project(world, deliver):
    await accredit(world, deliver, "res-alice")
    await sign_in(world)
    form = await world["portal"].get("/projects/apply")
    done = await world["portal"].post(
        "/projects/apply", data=application(**{"member-1-id": "", "csrf_token": csrf_of(form)})
    )
    assert done.status_code == 303, done.text
    page_url = done.headers["location"]
    world["portal"].cookies.clear()
    await sign_in(world, username="bob", password="bob-demo")
    other = await world["portal"].get(page_url)
    assert other.status_code == 404
    assert "Burglary security effectiveness" not in other.text
    listing = await world["portal"].get("/projects")
    assert "Burglary security effectiveness" not in listing.text
