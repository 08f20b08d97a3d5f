"""A researcher's whole journey in real Chromium against real processes: a new person
signs up, confirms their e-mail address by the mailed link, registers, applies for
accreditation; the panel approves it (over the API); the
researcher applies for a project in the portal; the panel approves the project; the
researcher books a place in the portal (a site, its week of free places, the security
declaration, the booking form) and sees it on the dashboard, submits an output
whose small cells fail the automatic check and sees them highlighted in the table, and
follows the link of an e-mail that reached them to the right page. Every page passes
axe-core and runs under the portal's Content-Security-Policy."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import httpx
import pytest

from .conftest import login, wait_for
from .portal import checked, watch_csp

pytestmark = pytest.mark.e2e

LONDON = ZoneInfo("Europe/London")
PASSWORD = "correct horse battery staple"
FAILING_CSV = "region,year,count\nNorth,2021,42\nSouth,2021,3\nEast,2021,17\n"


def token_of(stack, username: str, password: str) -> dict[str, str]:
    """The researcher's own token (the password grant, as a script would)."""
    response = httpx.post(
        f"{stack.url('access')}/v1/auth/token",
        data={"grant_type": "password", "username": username, "password": password},
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def next_working_day(after: dt.date) -> dt.date:
    bank_holidays = holidays.country_holidays("GB", subdiv="ENG")
    day = after + dt.timedelta(days=1)
    while day.weekday() >= 5 or day in bank_holidays:
        day += dt.timedelta(days=1)
    return day


def book_in_browser(page, portal: str, today: dt.date, day: dt.date, title: str) -> None:
    """Book a free place at Titchfield on ``day`` through the portal: pick the site, find
    the day in the week view, sign the security declaration when asked, book for the
    project. The booking service learns of the active project from the bus: a refusal
    for that reason is tried again."""
    page.goto(portal + "/bookings")
    page.click("#book-link")
    page.check("input[name=site_id][value=titchfield]")
    page.click("#choose-site")
    page.wait_for_selector("#week")
    if day.isocalendar()[:2] != today.isocalendar()[:2]:  # the week view opens on this week
        with page.expect_navigation():
            page.click(".govuk-pagination__next a")
    free = page.locator(f"td[data-cell=free][data-starts-at^='{day.isoformat()}'] a")
    assert free.count() > 0, f"no free place at Titchfield on {day}"
    checked(page, "journey-week")
    free.first.click()
    page.wait_for_selector("h1")
    if "Sign the security declaration" in page.inner_text("h1"):
        checked(page, "journey-declaration")
        page.check("#agree")
        page.click("#sign-declaration")
    page.wait_for_selector("h1:text('Book a place')")
    assert title in page.inner_text("#booking")  # the project by its title
    checked(page, "journey-book")
    deadline = time.monotonic() + 30
    while True:
        with page.expect_navigation():
            page.click("#book")
        if page.locator("#booked").count():
            break
        assert time.monotonic() < deadline, page.inner_text(".govuk-error-summary")
        time.sleep(0.5)
    assert "Your place at Titchfield safe room is booked" in page.inner_text("#booked")
    assert page.locator("#upcoming-bookings tr", has_text=title).count() == 1


def mails_to(stack, address: str) -> list[email.message.EmailMessage]:
    directory = Path(stack.var_dir) / "mail"
    found = []
    for path in sorted(directory.glob("*.eml")) if directory.is_dir() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if address in str(message.get("X-Sink-Envelope-To", "")):
            found.append(message)
    return found


def text_of(message) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def sign_up(page, portal: str, name: str, address: str) -> None:
    page.goto(portal + "/dashboard")
    page.wait_for_selector("#create-account")
    page.click("#create-account")
    page.wait_for_selector("h1:text('Create a researcher account')")
    page.fill("#name", name)
    page.fill("#email", address)
    page.select_option("#organisation", "org-ntu")
    page.fill("#password", PASSWORD)
    page.click("#create")
    page.wait_for_url(portal + "/dashboard")


def confirm_address(page, stack, portal: str, address: str) -> None:
    """Follow the confirmation link the notifier e-mailed at sign-up (the first e-mail
    that reaches a new person), then come back to the profile form."""

    def link() -> str | None:
        for message in mails_to(stack, address):
            found = re.search(r"\S+/oidc/verify-email\?token=[\w%-]+", text_of(message))
            if found:
                return found.group(0)
        return None

    verify_url, _ = wait_for(link, timeout=60, interval=0.2)
    page.goto(verify_url)
    page.wait_for_selector("h1:text('Your e-mail address is confirmed')")
    page.goto(portal + "/profile/register")


def register_and_apply(page, stack, portal: str, address: str) -> None:
    page.click("#register-profile-link")
    page.wait_for_selector("h1:text('Confirm your e-mail address')")
    confirm_address(page, stack, portal, address)
    page.wait_for_selector("h1:text('Register your researcher profile')")
    page.check("input[name=degree][value=masters]")
    page.check("input[name=degree_quantitative][value=yes]")
    page.fill("#quantitative_research_years", "3")
    page.click("#register-profile")
    page.wait_for_url(portal + "/dashboard")
    page.click("#apply-link")
    page.wait_for_selector("h1:text('Apply for accreditation')")
    page.check("input[name=kind][value=full]")
    page.fill("#training-day", "1")
    page.fill("#training-month", "10")
    page.fill("#training-year", "2026")
    page.click("#apply")
    page.wait_for_url(portal + "/dashboard")


def apply_for_project(page, portal: str, title: str) -> str:
    """Fill the project application; the projects service learns of the new accreditation
    from the bus, so a refusal for that reason is tried again (the draft is kept)."""
    start = dt.date.today() + dt.timedelta(days=7)
    end = start + dt.timedelta(days=365)
    page.goto(portal + "/projects/apply")
    page.wait_for_selector("h1:text('Apply for a project')")
    page.fill("#title", title)
    page.fill("#lay_summary", "Which home security measures protect against burglary.")
    page.fill("#public_benefit", "Evidence for crime prevention advice.")
    page.check("input[name=dataset_ids][value=ds-csew-2019]")
    page.check("input[name=legal_gateway][value=DEA]")
    for prefix, day in (("start", start), ("end", end)):
        page.fill(f"#{prefix}-day", str(day.day))
        page.fill(f"#{prefix}-month", str(day.month))
        page.fill(f"#{prefix}-year", str(day.year))
    page.check("input[name=confirmations][value=ethics]")
    page.check("input[name=confirmations][value=data_source]")
    checked(page, "project-application")
    deadline = time.monotonic() + 30
    while True:
        page.click("#project-apply")
        page.wait_for_load_state()
        if re.search(r"/projects/prj_[\w]+$", page.url):
            return page.url.rsplit("/", 1)[-1]
        assert time.monotonic() < deadline, page.inner_text(".govuk-error-summary")
        time.sleep(0.5)


# The shared stack starts inside the first portal test, and the journey waits on the bus
# several times: more than the suite's default on a busy machine.
@pytest.mark.timeout(900)
def test_a_researchers_whole_journey(portal_stack, browser):
    portal = portal_stack.url("portal")
    address = f"journey-{uuid.uuid4().hex[:8]}@example.ac.uk"
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    csp_violations = watch_csp(page)
    panel = login(portal_stack, "panel")
    try:
        sign_up(page, portal, "Jo Journey", address)
        register_and_apply(page, portal_stack, portal, address)
        me = token_of(portal_stack, address, PASSWORD)
        accreditation = portal_stack.url("accreditation")
        mine = httpx.get(f"{accreditation}/v1/applications", headers=me).json()["items"]
        approved = httpx.post(
            f"{accreditation}/v1/applications/{mine[0]['id']}/approve",
            headers=panel,
            json={"reason": "Meets the criteria for full accreditation."},
        )
        assert approved.status_code == 200, approved.text

        page.goto(portal + "/accreditation")
        page.wait_for_selector("#accreditation-status")
        assert "Current" in page.inner_text("#accreditation-status")
        checked(page, "accreditation")

        title = "Burglary security effectiveness"
        project_id = apply_for_project(page, portal, title)
        projects = portal_stack.url("projects")
        for step, body in (
            ("review", None),
            ("approve", {"reason": "Clear public benefit", "conditions": "Regional outputs only"}),
        ):
            decided = httpx.post(
                f"{projects}/v1/projects/{project_id}/{step}", headers=panel, json=body
            )
            assert decided.status_code == 200, decided.text
        wait_for(
            lambda: (
                httpx.get(f"{projects}/v1/projects/{project_id}", headers=me).json()["status"]
                == "active"
            ),
            timeout=30,
        )
        page.goto(f"{portal}/projects/{project_id}")
        page.wait_for_selector("#members")
        assert "Jo Journey" in page.inner_text("#members")  # a name, not an id
        assert "Regional outputs only" in page.inner_text("#project-summary")
        checked(page, "project")

        # A place booked for the next working day, through the portal's booking pages.
        today = dt.datetime.now(LONDON).date()
        day = next_working_day(today)
        book_in_browser(page, portal, today, day, title)
        page.goto(portal + "/dashboard")
        page.wait_for_selector("#project-list")
        if day == today + dt.timedelta(days=1):
            assert "You have a booking tomorrow" in page.inner_text("#attention")
            assert title in page.inner_text("#attention")
        checked(page, "dashboard-journey")

        # An output whose small cells fail the automatic check.
        page.goto(f"{portal}/projects/{project_id}")
        page.click("#outputs-link")
        page.click("#new-output")
        page.wait_for_selector("h1:text('New output request')")
        page.fill("#title", "Burglary victims by region")
        page.check("input[name=kind][value=publication]")
        checked(page, "output-new")
        # Clearance learns of the active project from the bus: a refusal is tried again.
        deadline = time.monotonic() + 30
        while True:
            page.click("#create-output")
            page.wait_for_load_state()
            if "/outputs/out" in page.url:
                break
            assert time.monotonic() < deadline, page.inner_text(".govuk-error-summary")
            time.sleep(0.5)
        page.wait_for_selector("#upload")
        page.fill("#group_name", "Table 1")
        page.fill("#context", "Burglary victims by region, CSEW 2021")
        page.fill("#controls", "none")
        page.set_input_files(
            "#files",
            {"name": "table1.csv", "mimeType": "text/csv", "buffer": FAILING_CSV.encode()},
        )
        page.click("#upload")
        page.wait_for_selector("#submit-output")
        checked(page, "output-draft")
        page.click("#submit-output")
        page.wait_for_selector("#check-table1-csv")
        failing = page.locator("#check-table1-csv [data-cell=fail]")
        assert failing.count() == 1 and failing.inner_text() == "3"
        assert "Too few contributors" in page.inner_text("#check-table1-csv")
        checked(page, "output-check")

        # The e-mail that reached them: its portal link opens the right page.
        def approval_mail():
            for message in mails_to(portal_stack, address):
                links = re.findall(re.escape(portal) + r"/projects/[\w]+", text_of(message))
                if links:
                    return links[0]
            return None

        link, _ = wait_for(approval_mail, timeout=30, interval=0.5)
        assert link == f"{portal}/projects/{project_id}"
        page.goto(link)
        page.wait_for_selector("h1")
        assert page.inner_text("h1") == title
        accredited = [m for m in mails_to(portal_stack, address) if "/accreditation" in text_of(m)]
        assert accredited, "the accreditation e-mail links to the accreditation page"
        page.goto(re.findall(re.escape(portal) + r"/accreditation", text_of(accredited[0]))[0])
        assert page.inner_text("h1") == "Your accreditation"
    finally:
        context.close()
    assert not csp_violations, csp_violations
