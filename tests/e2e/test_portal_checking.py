"""Output checking in the portal, in real Chromium against real processes: alice's output
request (a table with a cell below the threshold, and an R file selecting one person) is
submitted over the API; the demo checker takes it into review and rejects it; a second
checker opens it and sees no vote before casting theirs, then sees both and consolidates.
Every page passes axe-core and reports no CSP violation."""

from __future__ import annotations

import asyncio
import concurrent.futures

import httpx
import pytest

from srs_access.models import User
from srs_access.oidc.models import AccountProfile
from srs_access.passwords import hash_password_async
from srs_common.db import Database

from .conftest import login
from .portal import checked, sign_in, watch_csp
from .test_portal_bookings import active_project_of_alice

pytestmark = pytest.mark.e2e

TABLE = b"region,year,count\nNorth,2021,12\nSouth,2021,3\nEast,2021,40\n"
CODE = b"# Burglary counts by region\ndf <- read.csv('burglary.csv')\nprint(df[df$id == 1, ])\n"
FIRST_REASON = "The South cell counts three victims: below the threshold."


def add_checker(stack, username: str, name: str) -> None:
    """A second checker's login and name, made in the access service's database as its
    seed makes the demo ones."""

    async def add() -> None:
        db = Database(stack.database_url("access"), service="access")
        try:
            async with db.transaction() as session:
                if await session.get(User, username) is None:
                    session.add(
                        User(
                            username=username,
                            roles=["checker"],
                            researcher_id=None,
                            organisation_id=None,
                            password_hash=await hash_password_async(f"{username}-demo"),
                        )
                    )
                    session.add(
                        AccountProfile(
                            username=username, name=name, email=f"{username}@srs.example"
                        )
                    )
        finally:
            await db.dispose()

    # Playwright's sync API keeps an event loop running on this thread: run it on another.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, add()).result()


def submitted_output(stack, project_id: str) -> str:
    clearance = stack.url("clearance")
    alice = login(stack, "alice")
    created = httpx.post(
        f"{clearance}/v1/outputs",
        headers=alice,
        json={"project_id": project_id, "kind": "pre_publication", "title": "Burglary by region"},
    )
    assert created.status_code == 201, created.text
    output_id = created.json()["id"]
    group = httpx.post(
        f"{clearance}/v1/outputs/{output_id}/groups",
        headers=alice,
        json={
            "name": "Table 1",
            "context": "Burglary victims by region, 2021",
            "controls": "None applied",
        },
    )
    assert group.status_code == 201, group.text
    for name, data in (("table1.csv", TABLE), ("analysis.R", CODE)):
        uploaded = httpx.post(
            f"{clearance}/v1/outputs/{output_id}/groups/{group.json()['id']}/files",
            headers=alice,
            files={"file": (name, data)},
        )
        assert uploaded.status_code == 201, uploaded.text
    submitted = httpx.post(f"{clearance}/v1/outputs/{output_id}/submit", headers=alice)
    assert submitted.status_code == 200, submitted.text
    return output_id


# The shared portal stack may start here (two minutes on a busy machine), then two
# browsers run axe-core on five pages.
@pytest.mark.timeout(900)
def test_two_checkers_review_blind_then_one_consolidates(portal_stack, browser):
    project_id, title = active_project_of_alice(portal_stack)
    output_id = submitted_output(portal_stack, project_id)
    add_checker(portal_stack, "checker2", "Mei Chen")
    portal = portal_stack.url("portal")
    request_page = f"{portal}/checking/outputs/{output_id}"

    first = browser.new_context(viewport={"width": 1200, "height": 900})
    page = first.new_page()
    csp = watch_csp(page)
    try:
        sign_in(page, portal, "checker")
        page.goto(portal + "/checking")
        row = page.locator(f'tr[data-output="{output_id}"]')
        assert "Burglary by region" in row.inner_text()
        assert "Nobody yet" in row.inner_text()
        # The project by its title, the requester by name (clearance learns the name from
        # the accreditation service's events): never a bare id.
        assert "Alice Example" in row.inner_text() and "res-alice" not in row.inner_text()
        assert title in row.inner_text() and project_id not in row.inner_text()
        assert page.inner_text("#service-level")  # the picture is drawn
        checked(page, "checking-queue")
        row.locator("a").click()
        page.wait_for_url(request_page)
        page.click("#start-review")
        page.wait_for_selector("#review-form")
        failing = page.locator('#check-table1-csv [data-cell="fail"]')
        assert failing.inner_text() == "3"
        assert page.locator('#code-analysis-R tr[data-finding="fail"] th').inner_text() == "3"
        # Sortable: by count, ascending, South (3) comes first.
        page.click("#check-table1-csv th:nth-child(3) button")
        assert page.inner_text("#check-table1-csv tbody tr:first-child th") == "South"
        assert page.get_attribute("#check-table1-csv th:nth-child(3)", "aria-sort") == "ascending"
        summary = page.inner_text("#output-summary")
        assert "Alice Example" in summary  # the id follows only in small print
        assert page.inner_text("#output-summary .srs-ref") == "res-alice"
        assert title in page.inner_text("#output-project")
        checked(page, "checking-request")
        page.check('input[name^="file-"][value="changes"] >> nth=0')
        page.check("#vote-reject")
        page.fill("#reason", FIRST_REASON)
        page.click("#submit-review")
        page.wait_for_selector("#my-vote")
        assert page.get_attribute("#my-vote", "data-vote") == "reject"
        assert page.locator("#blind-notice").is_visible()
        assert csp == []
    finally:
        first.close()

    second = browser.new_context(viewport={"width": 1200, "height": 900})
    page = second.new_page()
    csp = watch_csp(page)
    try:
        sign_in(page, portal, "checker2")
        page.goto(request_page)
        page.wait_for_selector("#review-form")
        # Blind: neither the first vote, its reason, its verdicts nor a tally.
        assert FIRST_REASON not in page.content()
        assert page.locator("[data-vote], [data-verdict]").count() == 0
        assert page.locator("#decision-form").count() == 0
        checked(page, "checking-blind")
        page.check("#vote")  # approve
        page.fill("#reason", "Differencing checked; the South cell needs suppressing first.")
        page.click("#submit-review")
        page.wait_for_selector("#votes")
        assert FIRST_REASON in page.inner_text("#votes")
        assert page.locator("#votes tbody tr").count() == 2
        assert "Tom Okafor" in page.inner_text("#votes")  # the first checker, by name
        assert "Signed in as Mei Chen" in page.inner_text("body")
        checked(page, "checking-unblinded")
        page.check("#decision-reject")
        page.fill("#decision_reason", "The South cell must be suppressed before release.")
        page.click("#submit-decision")
        page.wait_for_selector("#decided")
        assert "Rejected" in page.inner_text("#decided")
        checked(page, "checking-decided")
        assert csp == []
    finally:
        second.close()
    read = httpx.get(
        f"{portal_stack.url('clearance')}/v1/outputs/{output_id}",
        headers=login(portal_stack, "alice"),
    )
    assert read.json()["status"] == "rejected"
