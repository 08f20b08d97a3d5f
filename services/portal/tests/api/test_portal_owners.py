"""A data owner's workspace in the portal, against the real access and projects
services: the home-working requests that concern their datasets (and no other owner's),
approving for their datasets, refusing with a reason, and who may not open any of it."""

from __future__ import annotations

import re

from srs_access.models import User
from srs_access.passwords import hash_password_async
from srs_common.contracts.accreditation import ResearcherRegistered

from .active_project import NOW, TITLE
from .staff_world import as_user, assert_only, csrf_of, researcher
from .test_portal_bookings import active_project

IMPORTANCE = "Evaluates burglary prevention advice the Home Office gives to the public."
URGENCY = "Findings are due to the Home Office in March; a delay postpones the guidance."


async def home_working_request(world, project_id: str) -> str:
    sent = await world["access"].post(
        "/v1/home-working-requests",
        headers=researcher(world),
        json={
            "project_ids": [project_id],
            "researcher_ids": ["res-alice"],
            "importance_to_government": IMPORTANCE,
            "urgency_and_impact_of_delay": URGENCY,
            "organisation_machine_over_vpn": True,
            "organisation_agreement_confirmed": True,
        },
    )
    assert sent.status_code == 201, sent.text
    return str(sent.json()["id"])


async def read(world, request_id: str) -> dict:
    response = await world["access"].get(
        f"/v1/home-working-requests/{request_id}", headers=researcher(world)
    )
    return dict(response.json())


async def test_a_data_owner_approves_a_request_for_their_datasets(world, deliver):
    project_id = await active_project(world, deliver)
    request_id = await home_working_request(world, project_id)
    await as_user(world, "owner")
    dashboard = await world["portal"].get("/dashboard")
    assert 'href="/data-owner"' in dashboard.text
    page = await world["portal"].get("/data-owner")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert IMPORTANCE in page.text and URGENCY in page.text
    assert "ds-csew-2019" in page.text and "Not given yet" in page.text
    url = f"/data-owner/home-working-requests/{request_id}"
    no_choice = await world["portal"].post(url, data={"csrf_token": csrf_of(page)})
    assert no_choice.status_code == 422 and "Choose approve or refuse" in no_choice.text
    approved = await world["portal"].post(
        url, data={"decision": "approve", "csrf_token": csrf_of(page)}
    )
    assert approved.status_code == 303
    assert list((await read(world, request_id))["owner_approvals"]) == ["ds-csew-2019"]
    page = await world["portal"].get("/data-owner")
    assert "Given" in page.text and 'value="approve"' not in page.text
    twice = await world["portal"].post(
        url, data={"decision": "approve", "csrf_token": csrf_of(page)}
    )
    assert twice.status_code == 409  # the radio is gone; a forged repeat is refused, in words
    assert "There is a problem" in twice.text and "already approved" in twice.text


async def test_the_owner_reads_researchers_projects_and_datasets_by_name(world, deliver):
    project_id = await active_project(world, deliver)
    await deliver(
        world["access"],
        ResearcherRegistered(
            researcher_id="res-alice",
            name="Alice Example",
            email="alice@example.ac.uk",
            organisation_id="org-ntu",
            occurred_at=NOW,
        ),
        subject="res-alice",
        source="/srs/accreditation",
    )
    await home_working_request(world, project_id)
    await as_user(world, "owner")
    page = await world["portal"].get("/data-owner")
    waiting = page.text[page.text.index('id="waiting-requests"') :]
    waiting = waiting[: waiting.index("</form>")]
    assert "submitted by Alice Example" in waiting
    assert TITLE in waiting and "Crime Survey for England and Wales 2019" in waiting
    # Ids only in small print after the names, for quoting.
    prose = re.sub(r'<span class="govuk-body-s srs-ref">[^<]*</span>', "", waiting)
    for ref in ("res-alice", project_id, "ds-csew-2019"):
        assert ref in waiting and ref not in prose, ref


async def test_a_data_owner_refuses_with_a_reason(world, deliver):
    project_id = await active_project(world, deliver)
    request_id = await home_working_request(world, project_id)
    await as_user(world, "owner")
    page = await world["portal"].get("/data-owner")
    url = f"/data-owner/home-working-requests/{request_id}"
    missing = await world["portal"].post(
        url, data={"decision": "refuse", "csrf_token": csrf_of(page)}
    )
    assert missing.status_code == 422
    assert "There is a problem" in missing.text and "Enter the reason for refusing" in missing.text
    refused = await world["portal"].post(
        url,
        data={
            "decision": "refuse",
            "reason": "The survey's licence excludes home working.",
            "csrf_token": csrf_of(page),
        },
    )
    assert refused.status_code == 303
    request = await read(world, request_id)
    assert request["status"] == "refused"
    assert request["reason"] == "The survey's licence excludes home working."
    page = await world["portal"].get("/data-owner")
    decided = page.text[page.text.index('id="decided"') :]
    assert "Refused" in decided and "licence excludes home working" in decided


async def test_another_owner_sees_nothing_of_it(world, deliver):
    project_id = await active_project(world, deliver)
    request_id = await home_working_request(world, project_id)
    async with world["access"].runtime.db.transaction() as session:
        session.add(
            User(
                username="health-owner",
                roles=["data_owner"],
                researcher_id=None,
                organisation_id="ONS Health",
                password_hash=await hash_password_async("health-owner-demo"),
            )
        )
    await as_user(world, "health-owner")
    page = await world["portal"].get("/data-owner")
    assert page.status_code == 200
    assert IMPORTANCE not in page.text and "No request is waiting for you." in page.text
    forged = await world["portal"].post(
        f"/data-owner/home-working-requests/{request_id}",
        data={"decision": "refuse", "reason": "Not mine to refuse.", "csrf_token": csrf_of(page)},
    )
    assert forged.status_code == 404
    assert (await read(world, request_id))["status"] == "submitted"


async def test_only_data_owners_open_their_workspace(world, deliver):
    project_id = await active_project(world, deliver)
    request_id = await home_working_request(world, project_id)
    await assert_only(
        world,
        "owner",
        pages=["/data-owner"],
        posts=[
            (f"/data-owner/home-working-requests/{request_id}", {"decision": "approve"}),
            (
                f"/data-owner/home-working-requests/{request_id}",
                {"decision": "refuse", "reason": "Refused by someone else."},
            ),
        ],
        secrets=[IMPORTANCE],
    )
    request = await read(world, request_id)
    assert request["status"] == "submitted" and request["owner_approvals"] == {}
