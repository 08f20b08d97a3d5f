"""A panel decision made from a page another panel member has since changed: the form
carries the version the page was drawn from (sent as If-Match); the portal says in words
that someone else changed it meanwhile, shows the application as it now stands, and
nothing is decided."""

from __future__ import annotations

import html
import re

from .staff_world import accreditation_application, as_user, csrf_of, researcher


async def test_a_decision_on_an_application_changed_meanwhile_is_not_recorded(world):
    application_id = await accreditation_application(world, "res-alice", "Alice Example", "alice")
    await as_user(world, "panel")
    url = f"/panel/accreditation-applications/{application_id}"
    page = await world["portal"].get(url)
    found = re.search(r'name="etag" value="([^"]*)"', page.text)
    assert found is not None
    etag = html.unescape(found.group(1))
    assert etag.startswith('"') and etag.endswith('"')
    # Another panel member asks the applicant a question meanwhile.
    asked = await world["accreditation"].post(
        f"/v1/applications/{application_id}/request-information",
        headers=world["tokens"].headers("panel", sub="panel-other"),
        json={"reason": "Which training course was completed?"},
    )
    assert asked.status_code == 200, asked.text
    refused = await world["portal"].post(
        url + "/decision",
        data={
            "decision": "approve",
            "reason": "Meets the criteria for full accreditation.",
            "etag": etag,
            "csrf_token": csrf_of(page),
        },
    )
    assert refused.status_code == 412
    assert "Someone else changed this while you were looking at it" in refused.text
    assert "Which training course was completed?" in refused.text  # as it now stands
    read = await world["accreditation"].get(
        f"/v1/applications/{application_id}", headers=researcher(world)
    )
    assert read.json()["status"] == "information_requested"


async def test_a_data_owner_refusing_a_request_staff_approved_meanwhile_is_told(world, deliver):
    from .test_portal_bookings import active_project
    from .test_portal_owners import home_working_request, read

    project_id = await active_project(world, deliver)
    request_id = await home_working_request(world, project_id)
    await as_user(world, "owner")
    page = await world["portal"].get("/data-owner")
    form = page.text[page.text.index(f'action="/data-owner/home-working-requests/{request_id}"') :]
    found = re.search(r'name="etag" value="([^"]*)"', form)
    assert found is not None and found.group(1)
    staff = await world["access"].post(
        f"/v1/home-working-requests/{request_id}/staff-approval",
        headers=world["tokens"].headers("support", sub="support-other"),
    )
    assert staff.status_code == 200, staff.text
    refused = await world["portal"].post(
        f"/data-owner/home-working-requests/{request_id}",
        data={
            "decision": "refuse",
            "reason": "Not urgent enough for home access.",
            "etag": html.unescape(found.group(1)),
            "csrf_token": csrf_of(page),
        },
    )
    assert refused.status_code == 412
    assert "Someone else changed this while you were looking at it" in refused.text
    assert (await read(world, request_id))["status"] == "submitted"


async def test_support_revoking_an_accreditation_suspended_meanwhile_is_told(world):
    from .test_portal_support import accredited_alice

    accreditation_id = await accredited_alice(world)
    await as_user(world, "support")
    url = "/support/researchers/res-alice"
    page = await world["portal"].get(url)
    form = page.text[page.text.index(f'action="{url}/accreditations/{accreditation_id}"') :]
    found = re.search(r'name="etag" value="([^"]*)"', form)
    assert found is not None and found.group(1)
    # Another member of staff suspends it while this page is open.
    suspended = await world["accreditation"].post(
        f"/v1/accreditations/{accreditation_id}/suspend",
        headers=world["tokens"].headers("support", sub="support-other"),
        json={"reason": "Destruction of an output is overdue."},
    )
    assert suspended.status_code == 200, suspended.text
    refused = await world["portal"].post(
        f"{url}/accreditations/{accreditation_id}",
        data={
            "action": "revoke",
            "reason": "Breach of the output rules.",
            "etag": html.unescape(found.group(1)),
            "csrf_token": csrf_of(page),
        },
    )
    assert refused.status_code == 412
    assert "Someone else changed this while you were looking at it" in refused.text
    assert "Destruction of an output is overdue." in refused.text  # as it now stands
    assert "Breach of the output rules." in refused.text  # what was typed is kept
    read = await world["accreditation"].get(
        f"/v1/accreditations/{accreditation_id}",
        headers=world["tokens"].headers("support", sub="support-1"),
    )
    assert read.json()["status"] == "suspended"
