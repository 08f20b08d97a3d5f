"""The staff workspaces in real Chromium against real processes: the panel reviews and
approves a project with conditions and its lead sees them; support revokes a
researcher's accreditation and watches it cancel their booking; a data owner approves a
home-working request. Every page passes axe-core with no serious or critical violation."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import secrets
import uuid

import httpx
import pytest

from srs_common.tokens import issue_token

from .conftest import login, wait_for
from .portal import checked, sign_in, watch_csp
from .test_portal_bookings import active_project_of_alice
from .test_portal_journey import mails_to, text_of

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"


def new_researcher(stack, name: str) -> tuple[str, dict[str, str], str]:
    """A researcher who signed up at the provider (as the sign-up page does), confirmed
    their e-mail, registered their profile and holds a full accreditation the panel granted
    over the API; their e-mail (their login), API headers and application id."""
    access, portal = stack.url("access"), stack.url("portal")
    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.ac.uk"
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    params = {
        "response_type": "code",
        "client_id": "srs-portal",
        "redirect_uri": f"{portal}/auth/callback",
        "scope": "openid profile email",
        "state": "s",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    with httpx.Client(base_url=access, follow_redirects=False) as client:
        page = client.get("/oidc/register", params=params)
        fields = dict(
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text)
        )
        created = client.post(
            "/oidc/register",
            data={
                **fields,
                "name": name,
                "email": email,
                "organisation": "org-ntu",
                "password": PASSWORD,
            },
        )
        code = re.search(r"code=([^&]+)", created.headers["location"]).group(1)
        tokens = client.post(
            "/oidc/token",
            auth=("srs-portal", "embedded-default-portal-secret-not-for-production"),
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": f"{portal}/auth/callback",
                "code_verifier": verifier,
            },
        ).json()
    assert tokens.get("access_token"), tokens

    def link() -> str | None:  # the confirmation link the notifier e-mailed
        for message in mails_to(stack, email):
            found = re.search(r"\S+/oidc/verify-email\?token=[\w%-]+", text_of(message))
            if found:
                return found.group(0)
        return None

    verify_url, _ = wait_for(link, timeout=60, interval=0.2)
    confirmed = httpx.get(verify_url, follow_redirects=True)
    assert confirmed.status_code == 200, confirmed.text
    granted = httpx.post(
        f"{access}/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": PASSWORD},
    )
    assert granted.status_code == 200, granted.text
    headers = {"Authorization": f"Bearer {granted.json()['access_token']}"}
    accreditation = stack.url("accreditation")
    registered = httpx.post(
        f"{accreditation}/v1/researchers",
        headers=headers,
        json={
            "name": name,
            "email": email,
            "qualifications": {
                "degree": "masters",
                "degree_quantitative": True,
                "quantitative_research_years": 2,
            },
        },
    )
    assert registered.status_code == 201, registered.text
    trained = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    drafted = httpx.post(
        f"{accreditation}/v1/applications",
        headers=headers,
        json={"kind": "full", "training_completed_on": trained},
    )
    application_id = drafted.json()["id"]
    submitted = httpx.post(
        f"{accreditation}/v1/applications/{application_id}/submit", headers=headers
    )
    assert submitted.status_code == 200, submitted.text
    approved = httpx.post(
        f"{accreditation}/v1/applications/{application_id}/approve",
        headers=login(stack, "panel"),
        json={"reason": "Meets the criteria."},
    )
    assert approved.status_code == 200, approved.text
    return email, headers, str(application_id)


def submitted_project(stack, headers: dict[str, str], title: str) -> str:
    """The researcher's project application, submitted once the projects service has
    heard of their accreditation."""
    projects = stack.url("projects")
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
        "priority_requested": True,
    }

    def drafted():
        response = httpx.post(f"{projects}/v1/projects", headers=headers, json=application)
        if response.status_code == 422 and response.json().get("rule") == "accreditation_required":
            return None  # the accreditation is still on its way to projects
        assert response.status_code == 201, response.text
        return response.json()["id"]

    project_id, _ = wait_for(drafted, timeout=30, interval=0.2)
    done = httpx.post(f"{projects}/v1/projects/{project_id}/submit", headers=headers)
    assert done.status_code == 200, done.text
    return str(project_id)


def drained(stack) -> None:
    ops = issue_token(
        stack.signing_key, sub="e2e-ops", roles=["ops"], issuer="srs-access", audience="srs"
    )
    stack.wait_drained(ops)


# Browsers on a loaded machine: as the other portal browser tests.
@pytest.mark.timeout(900)
def test_the_panel_approves_a_project_with_conditions_and_the_lead_sees_them(portal_stack, browser):
    portal = portal_stack.url("portal")
    email, headers, application_id = new_researcher(portal_stack, "Pia Researcher")
    title = f"Burglary and street lighting {uuid.uuid4().hex[:6]}"
    project_id = submitted_project(portal_stack, headers, title)
    conditions = "Publish the analysis code with the final report."
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    csp_violations = watch_csp(page)
    try:
        sign_in(page, portal, "panel")
        assert page.locator("#workspaces a[href='/panel']").count() == 1
        checked(page, "panel-dashboard")
        page.goto(portal + "/panel")
        page.wait_for_selector("#project-queue")
        assert title in page.inner_text("#project-queue")
        applicants = page.locator("#accreditation-queue a").all_inner_texts()
        assert not [a for a in applicants if a.startswith("res-")]  # by name, never by id
        assert page.locator("#decision-times meter").count() == 10  # two charts of five bars
        checked(page, "panel")
        # An application the panel decided: the applicant's qualifications beside the rules.
        page.goto(f"{portal}/panel/accreditation-applications/{application_id}")
        page.wait_for_selector("#qualifications")
        assert "Pia Researcher" in page.inner_text("#qualifications")
        assert "Nottingham Trent University" in page.inner_text("#qualifications")
        assert "Pia Researcher" in page.inner_text("#submitted")  # the applicant, by name
        checked(page, "panel-application")
        page.goto(portal + "/panel")
        page.click(f"a[href='/panel/projects/{project_id}']")
        page.wait_for_selector("#project-rules")
        assert "Safe setting, office or home" in page.inner_text("#datasets")
        checked(page, "panel-project")
        page.click("#start-review")
        page.wait_for_selector("#record-decision")
        page.check("input[name=decision][value=approve]")
        page.click("#record-decision")
        page.wait_for_selector(".govuk-error-summary")
        assert "Enter the reason for approving" in page.inner_text(".govuk-error-summary")
        checked(page, "panel-project-errors")
        page.check("input[name=priority][value=yes]")
        page.fill("#priority_reason", "Informs the winter crime prevention campaign.")
        page.click("#record-priority")
        page.wait_for_selector("#priority-now")
        assert "has priority now" in page.inner_text("#priority-now")
        page.check("input[name=decision][value=approve]")
        page.fill("#reason", "Clear public benefit; the datasets are proportionate.")
        page.fill("#conditions", conditions)
        page.click("#record-decision")
        page.wait_for_selector("#decisions")
        assert "Approved" in page.inner_text("#decisions")
        checked(page, "panel-project-decided")
        page.click("#sign-out")
        page.wait_for_url(portal + "/")

        sign_in(page, portal, email, PASSWORD)
        page.goto(f"{portal}/projects/{project_id}")
        page.wait_for_selector("#project-summary")
        assert conditions in page.inner_text("#project-summary")
    finally:
        context.close()
    assert not csp_violations, csp_violations


@pytest.mark.timeout(900)
def test_support_revokes_an_accreditation_and_sees_the_cancelled_booking(portal_stack, browser):
    portal = portal_stack.url("portal")
    email, headers, _ = new_researcher(portal_stack, "Rex Researcher")
    title = f"Burglary repeat victims {uuid.uuid4().hex[:6]}"
    project_id = submitted_project(portal_stack, headers, title)
    projects, booking = portal_stack.url("projects"), portal_stack.url("booking")
    panel = login(portal_stack, "panel")
    for path, body in (("review", None), ("approve", {"reason": "Clear public benefit"})):
        done = httpx.post(f"{projects}/v1/projects/{project_id}/{path}", headers=panel, json=body)
        assert done.status_code == 200, done.text
    wait_for(
        lambda: (
            httpx.get(f"{projects}/v1/projects/{project_id}", headers=headers).json()["status"]
            == "active"
        ),
        timeout=30,
    )
    drained(portal_stack)
    version = httpx.get(f"{booking}/v1/declaration", headers=headers).json()["version"]
    signed = httpx.post(f"{booking}/v1/declarations", headers=headers, json={"version": version})
    assert signed.status_code == 201, signed.text
    today = dt.date.today()
    week = httpx.get(
        f"{booking}/v1/availability",
        headers=headers,
        params={"site_id": "newport", "from": str(today), "to": str(today + dt.timedelta(days=20))},
    ).json()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)
    slot = next(
        s
        for s in week["sites"][0]["slots"]
        if s["free"] and dt.datetime.fromisoformat(s["starts_at"]) > later
    )
    starts = dt.datetime.fromisoformat(slot["starts_at"])
    made = httpx.post(
        f"{booking}/v1/bookings",
        headers=headers,
        json={
            "project_id": project_id,
            "site_id": "newport",
            "place": "T1",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=1)).isoformat(),
        },
    )
    assert made.status_code == 201, made.text
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    csp_violations = watch_csp(page)
    try:
        sign_in(page, portal, "support")
        page.goto(portal + "/support")
        checked(page, "support")
        page.fill("#q", email)
        page.click("#search")
        page.wait_for_selector("#found-researchers a")
        checked(page, "support-search")
        page.click("#found-researchers a")
        page.wait_for_selector("#cascade-settled")  # loaded by htmx
        checked(page, "support-researcher")
        page.check("input[name=action][value=revoke]")
        page.click("#change-1")
        page.wait_for_selector(".govuk-error-summary")
        checked(page, "support-researcher-errors")
        page.check("input[name=action][value=revoke]")
        page.fill("#reason", "Breach of the output rules.")
        page.click("#change-1")
        page.wait_for_url(re.compile(r"changed=revoke"))
        # "Updating…" until every service has heard, then the cancelled booking.
        page.wait_for_selector("#cascade-settled", timeout=30_000)
        cancelled = page.inner_text("#cancelled-bookings")
        assert "Newport safe room, T1" in cancelled
        # Rex leads the project, so the revocation reaches the booking service twice, on
        # two topics in either order: as itself and as the project's suspension. His own
        # booking always carries support's words.
        assert "accreditation revoked: Breach of the output rules." in cancelled, cancelled
        assert "Inactive" in page.inner_text("#cascade-projects")
        checked(page, "support-cascade")
        page.goto(portal + "/support/sites")
        checked(page, "support-sites")
        page.goto(portal + "/support/ingestion-requests")
        checked(page, "support-ingestion")
        page.goto(portal + "/support/catalogue")
        checked(page, "support-catalogue")
    finally:
        context.close()
    assert not csp_violations, csp_violations


@pytest.mark.timeout(900)
def test_a_data_owner_approves_a_home_working_request(portal_stack, browser):
    portal = portal_stack.url("portal")
    project_id, _ = active_project_of_alice(portal_stack)
    importance = f"Evaluates burglary prevention advice ({uuid.uuid4().hex[:6]})."
    sent = httpx.post(
        f"{portal_stack.url('access')}/v1/home-working-requests",
        headers=login(portal_stack, "alice"),
        json={
            "project_ids": [project_id],
            "researcher_ids": ["res-alice"],
            "importance_to_government": importance,
            "urgency_and_impact_of_delay": "Findings are due in March; a delay postpones them.",
            "organisation_machine_over_vpn": True,
            "organisation_agreement_confirmed": True,
        },
    )
    assert sent.status_code == 201, sent.text
    request_id = sent.json()["id"]
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    csp_violations = watch_csp(page)
    try:
        sign_in(page, portal, "owner")
        page.goto(portal + "/data-owner")
        page.wait_for_selector(f"#request-{request_id}")
        shown = page.inner_text(f"#request-{request_id}")
        assert importance in shown
        # Who and what by name (the ids only in small print after them).
        assert "Alice Example" in shown
        assert "Crime Survey for England and Wales 2019" in shown
        checked(page, "owner")
        form = page.locator(f"form[action='/data-owner/home-working-requests/{request_id}']")
        form.locator("input[name=decision][value=approve]").check()
        form.locator("button").click()
        page.wait_for_url(portal + "/data-owner")
        page.wait_for_selector(f"#request-{request_id}")
        assert "Given" in page.inner_text(f"#request-{request_id}")
        checked(page, "owner-approved")
    finally:
        context.close()
    assert not csp_violations, csp_violations
    approvals = httpx.get(
        f"{portal_stack.url('access')}/v1/home-working-requests/{request_id}",
        headers=login(portal_stack, "alice"),
    ).json()["owner_approvals"]
    assert list(approvals) == ["ds-csew-2019"]
