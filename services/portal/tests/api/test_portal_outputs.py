"""A project's output requests in the portal, and an output request's page showing the
automatic disclosure check as the table itself, against the real clearance and projects
services."""

from __future__ import annotations

import datetime as dt
import io
import json

from srs_common.contracts import access, projects

from ..conftest import sign_in
from .test_portal_projects import accredit

NOW = dt.datetime.now(dt.UTC)
TODAY = NOW.date()
FAILING_CSV = b"region,year,count\nNorth,2021,12\nSouth,2021,3\n"


async def output_of_alice(
    world, deliver, files: tuple[tuple[str, bytes], ...] = (("table1.csv", FAILING_CSV),)
) -> tuple[str, str]:
    """Alice's project (at the projects service, known to clearance as active) and her
    submitted output request with a table whose South cell fails the threshold."""
    await accredit(world, deliver, "res-alice")
    alice = world["tokens"].headers(
        "researcher", sub="alice", researcher_id="res-alice", org="org-ntu"
    )
    drafted = await world["projects"].post(
        "/v1/projects",
        headers=alice,
        json={
            "title": "Burglary security effectiveness",
            "legal_gateway": "DEA",
            "dataset_ids": ["ds-csew-2019"],
            "expected_end_date": str(TODAY + dt.timedelta(days=400)),
        },
    )
    assert drafted.status_code == 201, drafted.text
    project_id = drafted.json()["id"]
    clearance = world["clearance"]
    await deliver(
        clearance,
        access.DatasetCatalogued(
            dataset_id="ds-csew-2019",
            title="CSEW",
            owner="ONS",
            access_level="home",
            disclosure_threshold=10,
            occurred_at=NOW,
        ),
        subject="ds-csew-2019",
    )
    await deliver(
        clearance,
        projects.ProjectApproved(
            project_id=project_id,
            title="Burglary security effectiveness",
            organisation_id="org-ntu",
            legal_gateway="DEA",
            dataset_ids=["ds-csew-2019"],
            members=[projects.ProjectMember(researcher_id="res-alice", role="lead")],
            expected_end_date=TODAY + dt.timedelta(days=400),
            priority=False,
            approved_at=NOW,
        ),
        subject=project_id,
    )
    await deliver(
        clearance,
        projects.ProjectActivated(
            project_id=project_id,
            organisation_id="org-ntu",
            dataset_ids=["ds-csew-2019"],
            occurred_at=NOW,
        ),
        subject=project_id,
    )
    created = await clearance.post(
        "/v1/outputs",
        headers=alice,
        json={"project_id": project_id, "kind": "pre_publication", "title": "Burglary by region"},
    )
    assert created.status_code == 201, created.text
    output_id = created.json()["id"]
    group = await clearance.post(
        f"/v1/outputs/{output_id}/groups",
        headers=alice,
        json={
            "name": "Table 1",
            "context": "Burglary victims by region and year",
            "controls": "none",
        },
    )
    assert group.status_code == 201, group.text
    for name, data in files:
        uploaded = await clearance.post(
            f"/v1/outputs/{output_id}/groups/{group.json()['id']}/files",
            headers=alice,
            files={"file": (name, data)},
        )
        assert uploaded.status_code == 201, uploaded.text
    submitted = await clearance.post(f"/v1/outputs/{output_id}/submit", headers=alice)
    assert submitted.status_code == 200, submitted.text
    return project_id, output_id


async def test_signed_out_visitors_are_sent_to_sign_in(world):
    for path in ("/outputs/out_x", "/projects/prj_x/outputs"):
        response = await world["portal"].get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/sign-in?next=%2F")


async def test_the_check_is_shown_as_the_table_with_the_failing_cell(world, deliver):
    project_id, output_id = await output_of_alice(world, deliver)
    await sign_in(world)
    project = await world["portal"].get(f"/projects/{project_id}")
    assert f'href="/projects/{project_id}/outputs"' in project.text
    listing = await world["portal"].get(f"/projects/{project_id}/outputs")
    assert listing.status_code == 200 and listing.headers["cache-control"] == "no-store"
    assert "Burglary security effectiveness" in listing.text
    assert f'href="/outputs/{output_id}">Burglary by region</a>' in listing.text
    page = await world["portal"].get(f"/outputs/{output_id}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert '<h1 class="govuk-heading-l">Burglary by region</h1>' in page.text
    table = page.text[page.text.index('id="check-table1-csv"') :]
    table = table[: table.index("</table>")]
    # The table itself: every row, the failing cell highlighted with its reason in words.
    assert '<th scope="row" class="govuk-table__header">North</th>' in table
    assert '<strong class="govuk-tag govuk-tag--red" data-cell="fail">3</strong>' in table
    assert "Too few contributors: the count is below the minimum (threshold) rule" in table
    assert '<td class="govuk-table__cell">12</td>' in table  # the passing cell, plain
    assert table.count('data-cell="fail"') == 1
    assert '"reasons"' not in page.text and 'threshold"' not in page.text  # never JSON


async def test_another_researcher_is_refused_the_outputs(world, deliver):
    project_id, output_id = await output_of_alice(world, deliver)
    await sign_in(world, username="bob", password="bob-demo")
    for path in (f"/outputs/{output_id}", f"/projects/{project_id}/outputs"):
        response = await world["portal"].get(path)
        assert response.status_code == 404
        assert "Burglary" not in response.text


async def test_a_json_table_and_a_cell_for_a_checker_are_shown_in_the_table(world, deliver):
    table = {
        "kind": "magnitude",
        "dimensions": ["region"],
        "cells": [
            {"key": ["North"], "count": 40, "sum": 400.0, "largest": 20.0, "second_largest": 19.0},
            {
                "key": ["South"],
                "count": 30,
                "sum": 300.0,
                "largest": 12.0,
                "second_largest": 11.0,
                "has_negative": True,
            },
        ],
    }
    _, output_id = await output_of_alice(
        world, deliver, files=(("income.json", json.dumps(table).encode()),)
    )
    await sign_in(world)
    page = await world["portal"].get(f"/outputs/{output_id}")
    assert page.status_code == 200, page.text
    shown = page.text[page.text.index('id="check-income-json"') :]
    shown = shown[: shown.index("</table>")]
    assert '<th scope="row" class="govuk-table__header">South</th>' in shown
    assert 'data-cell="review">300.0</strong>' in shown
    assert "Holds negative values: a checker must look at it" in shown
    assert 'data-cell="fail"' not in shown


async def _audit_actions(world, output_id: str) -> list[str]:
    support = world["tokens"].headers("support", sub="sup-1")
    trail = await world["clearance"].get(f"/v1/outputs/{output_id}/audit", headers=support)
    assert trail.status_code == 200, trail.text
    return [entry["action"] for entry in trail.json()["entries"]]


async def test_viewing_the_output_page_draws_the_table_without_a_download(world, deliver):
    project_id, output_id = await output_of_alice(world, deliver)
    await sign_in(world)
    listing = await world["portal"].get(f"/projects/{project_id}/outputs")
    assert f'href="/outputs/{output_id}">Burglary by region</a>' in listing.text
    page = await world["portal"].get(f"/outputs/{output_id}")
    assert page.status_code == 200, page.text
    table = page.text[page.text.index('id="check-table1-csv"') :]
    assert '<strong class="govuk-tag govuk-tag--red" data-cell="fail">3</strong>' in table
    # Looking at the page is not a download: the request's audit trail records none.
    assert "downloaded" not in await _audit_actions(world, output_id)


async def test_a_spreadsheet_sheet_is_drawn_as_a_table(world, deliver):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Regions"
    for row in (("region", "count"), ("North", 40), ("South", 4)):
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    _, output_id = await output_of_alice(world, deliver, files=(("book.xlsx", buffer.getvalue()),))
    await sign_in(world)
    page = await world["portal"].get(f"/outputs/{output_id}")
    assert page.status_code == 200, page.text
    shown = page.text[page.text.index('id="check-book-xlsx-1"') :]
    shown = shown[: shown.index("</table>")]
    assert "sheet Regions" in shown
    assert '<th scope="row" class="govuk-table__header">North</th>' in shown
    assert '<td class="govuk-table__cell">40</td>' in shown
    assert '<strong class="govuk-tag govuk-tag--red" data-cell="fail">4</strong>' in shown
    assert "downloaded" not in await _audit_actions(world, output_id)
