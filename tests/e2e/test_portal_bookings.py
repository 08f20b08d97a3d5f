"""Booking and home working in the portal, in real Chromium against real processes. The
demo researcher alice, once the panel has approved a project of hers (over the API),
opens a site's week of free places, signs the security declaration if asked, books a
place, sees it listed and cancels it; then applies for home working and follows its
progress to the extended SyOps signature. Every page passes axe-core."""

from __future__ import annotations

import uuid

import httpx
import pytest

from srs_common.tokens import issue_token

from .conftest import login, wait_for
from .portal import checked, sign_in, watch_csp

pytestmark = pytest.mark.e2e


def active_project_of_alice(stack) -> tuple[str, str]:
    """A project of alice's approved by the panel and active everywhere (the platform
    drained, so the booking and access services know it too)."""
    projects = stack.url("projects")
    alice, panel = login(stack, "alice"), login(stack, "panel")
    title = f"Household burglary and home security {uuid.uuid4().hex[:6]}"
    application = {
        "title": title,
        "legal_gateway": "DEA",
        "dataset_ids": ["ds-csew-2019"],
        "lay_summary": "Which home security measures protect households against burglary.",
        "public_benefit": "Evidence for crime prevention advice to the public and police.",
        "expected_start_date": "2027-01-04",
        "expected_end_date": "2027-12-31",
        "ethics_confirmed": True,
        "data_source_acknowledged": True,
    }

    def drafted():
        response = httpx.post(f"{projects}/v1/projects", headers=alice, json=application)
        if response.status_code == 422 and response.json().get("rule") == "accreditation_required":
            return None  # the seed's accreditation is still on its way to projects
        if response.status_code == 503:
            return None  # the database was busy: the API asks for a retry
        assert response.status_code == 201, response.text
        return response.json()["id"]

    project_id, _ = wait_for(drafted, timeout=30, interval=0.2)
    for path, who, body in (
        ("submit", alice, None),
        ("review", panel, None),
        ("approve", panel, {"reason": "Clear public benefit"}),
    ):
        done = httpx.post(f"{projects}/v1/projects/{project_id}/{path}", headers=who, json=body)
        assert done.status_code == 200, done.text

    def active():
        body = httpx.get(f"{projects}/v1/projects/{project_id}", headers=alice).json()
        return body["status"] == "active"

    wait_for(active, timeout=60, interval=0.2)
    ops = issue_token(
        stack.signing_key, sub="e2e-ops", roles=["ops"], issuer="srs-access", audience="srs"
    )
    stack.wait_drained(ops, timeout=180)
    return project_id, title


# A long journey with an axe-core check on each of its twelve pages, on a shared machine.
@pytest.mark.timeout(900)
def test_alice_books_a_place_cancels_it_and_applies_for_home_working(portal_stack, browser):
    project_id, title = active_project_of_alice(portal_stack)
    portal = portal_stack.url("portal")
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    csp_violations = watch_csp(page)
    try:
        sign_in(page, portal, "alice")
        page.click("a.govuk-service-navigation__link[href='/bookings']")
        page.wait_for_selector("h1:text('Your bookings')")
        checked(page, "bookings")

        # A site, then its week of free places (the week after when this one is full).
        page.click("#book-link")
        page.check("input[name=site_id][value=titchfield]")
        checked(page, "bookings-sites")
        page.click("#choose-site")
        page.wait_for_selector("#week")
        assert "Free places at Titchfield safe room" in page.inner_text("h1")
        if page.locator("td[data-cell=free] a").count() == 0:
            page.click(".govuk-pagination__next a")
            page.wait_for_selector("td[data-cell=free] a")
        checked(page, "bookings-week")
        page.locator("td[data-cell=free] a").first.click()

        page.wait_for_selector("h1")
        if "Sign the security declaration" in page.inner_text("h1"):
            assert "storage devices" in page.inner_text("#declaration-text")
            checked(page, "bookings-declaration")
            page.check("#agree")
            page.click("#sign-declaration")
            page.wait_for_selector("h1:text('Book a place')")
        assert "Titchfield safe room" in page.inner_text("#booking-summary")
        page.check(f"input[name=project_id][value='{project_id}']")
        checked(page, "bookings-book")
        page.click("#book")

        page.wait_for_selector("#booked")
        assert "Your place at Titchfield safe room is booked" in page.inner_text("#booked")
        row = page.locator("#upcoming-bookings tr", has_text=title)
        assert row.count() == 1
        assert "Titchfield safe room, Terminal" in row.inner_text()
        checked(page, "bookings-booked")

        row.locator("a", has_text="Cancel").click()
        page.wait_for_selector("h1:text('Cancel your booking?')")
        assert title in page.inner_text("#booking-summary")
        checked(page, "bookings-cancel")
        page.click("#confirm-cancel")
        page.wait_for_selector("#cancelled")
        assert page.locator("#upcoming-bookings tr", has_text=title).count() == 0
        assert "Cancelled" in page.locator("#earlier-bookings tr", has_text=title).inner_text()

        # Home working: the application, refused while incomplete, then sent.
        page.click("a.govuk-service-navigation__link[href='/home-working']")
        page.wait_for_selector("h1:text('Home working')")
        checked(page, "home-working")
        page.click("#home-working-apply-link")
        page.wait_for_selector("h1:text('Apply for home working')")
        checked(page, "home-working-apply")
        page.click("#home-working-apply")
        page.wait_for_selector(".govuk-error-summary")
        assert "Choose the projects to work on from home" in page.inner_text(".govuk-error-summary")
        checked(page, "home-working-apply-errors")
        page.check(f"input[name=project_ids][value='{project_id}']")
        colleague = page.locator("input[name=researcher_ids][value='res-alice']")
        label = page.inner_text(f"label[for='{colleague.get_attribute('id')}']")
        assert "Alice Example" in label and "res-alice" not in label  # a name, not an id
        colleague.check()
        page.fill(
            "#importance_to_government",
            "Informs the Home Office's burglary prevention advice to the public.",
        )
        page.fill(
            "#urgency_and_impact_of_delay",
            "The guidance is revised in March; a delay leaves the old advice in place.",
        )
        page.check("input[name=confirmations][value=vpn]")
        page.check("input[name=confirmations][value=agreement]")
        page.click("#home-working-apply")
        page.wait_for_selector("#progress")
        assert "Waiting for decisions" in page.inner_text("#request-summary")
        assert "Alice Example" in page.inner_text("#request-summary")
        assert title in page.inner_text("#request-summary")  # the project by its title
        assert "Approval by the data owner, ONS" in page.inner_text("#progress")
        checked(page, "home-working-request")

        # The data owner and service staff approve (over the API): alice signs the SyOps.
        request_id = page.url.rsplit("/", 1)[1]
        access = portal_stack.url("access")
        for user, path in (("owner", "owner-approval"), ("support", "staff-approval")):
            approved = httpx.post(
                f"{access}/v1/home-working-requests/{request_id}/{path}",
                headers=login(portal_stack, user),
            )
            assert approved.status_code == 200, approved.text
        page.reload()
        page.wait_for_selector("#sign-syops")
        checked(page, "home-working-syops")
        page.check("#agree")
        page.click("#sign-syops")
        page.wait_for_selector("#progress")
        assert "Active" in page.inner_text("#progress")
        assert page.locator("#sign-syops").count() == 0
    finally:
        context.close()
    assert not csp_violations, csp_violations
