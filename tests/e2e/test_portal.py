"""The portal in real Chromium (Playwright) against real processes: the platform, the
access service as the OpenID Connect provider, and the portal on its own port. A new
researcher signs up, lands on their dashboard, registers their profile, applies for
accreditation, signs out and signs in again; every page
passes axe-core with no serious or critical violation and runs under its
Content-Security-Policy without a violation."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from srs_common.broker import free_port
from srs_common.devstack import SERVICES, Stack
from srs_common.testing import database_url_for, ensure_postgres_database
from srs_common.tokens import SigningKey

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "services" / "portal" / "node_modules" / "axe-core" / "axe.min.js"
# Set to a directory (e.g. docs/images) to keep screenshots of the pages as portal-*.png.
SCREENSHOTS = os.environ.get("SRS_PORTAL_SCREENSHOTS")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def portal_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The platform with the portal (the shared e2e stack has no portal port)."""
    var_dir = tmp_path_factory.mktemp("portal-stack")
    urls = {}
    for service in (*SERVICES, "portal"):
        url = database_url_for(service, var_dir, suffix="_e2e_portal")
        if url.startswith("postgresql"):
            ensure_postgres_database(url, recreate=True)
        urls[service] = url
    stack = Stack(
        var_dir=var_dir,
        ports={s: free_port() for s in (*SERVICES, "portal")},
        smtp_port=free_port(),
        database_urls=urls,
        log_json=True,
        signing_key=SigningKey.generate(),
        extra_env={"SRS_FETCH_MAX_WAIT_MS": "50", "SRS_SESSION_TIMEOUT_MS": "6000"},
    )
    stack.start(timeout=120)
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's Chromium is not installed at /usr/bin/chromium "
            "(make tools); the browser tests need it"
        )
    assert AXE.exists(), "axe-core is missing: run make install (portal-assets)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=FLAGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it stands. Evaluated over
    the DevTools protocol, so the page's own CSP (no inline scripts) does not block it."""
    page.evaluate(AXE.read_text())
    results = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def checked(page, name: str) -> None:
    found = serious_violations(page)
    assert not found, f"{name} ({page.url}):\n" + "\n".join(found)
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"portal-{name}.png"), full_page=True)


def test_a_new_researcher_signs_up_signs_in_and_sees_their_dashboard(portal_stack, browser):
    portal = portal_stack.url("portal")
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    csp_violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            csp_violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    email = f"nia-{uuid.uuid4().hex[:8]}@example.ac.uk"
    try:
        page.goto(portal + "/")
        checked(page, "start")
        page.click("#start")
        page.wait_for_selector("h1:text('Sign in')")
        assert page.url.startswith(portal_stack.url("access") + "/oidc/authorize?")
        checked(page, "sign-in")

        page.click("#create-account")
        page.wait_for_selector("h1:text('Create a researcher account')")
        page.fill("#name", "Nia Researcher")
        page.fill("#email", email)
        page.select_option("#organisation", "org-ntu")
        page.fill("#password", "short")
        page.click("#create")
        page.wait_for_selector(".error-summary")  # refused, said why, on the same page
        checked(page, "sign-up-errors")
        page.fill("#password", "correct horse battery staple")
        page.click("#create")

        page.wait_for_url(portal + "/dashboard")
        page.wait_for_selector("#accreditation-status")
        assert "not registered your researcher profile" in page.inner_text("#accreditation-status")
        page.wait_for_selector("#project-list")  # loaded by htmx
        assert "Signed in as Nia Researcher" in page.inner_text("body")
        checked(page, "dashboard")

        # The new researcher registers their profile, the first step to accreditation.
        page.click("#register-profile-link")
        page.wait_for_selector("h1:text('Register your researcher profile')")
        assert page.input_value("#email") == email  # from the sign-in's claims
        page.check("input[name=degree][value=masters]")
        page.fill("#quantitative_research_years", "two")
        page.click("#register-profile")
        page.wait_for_selector(".govuk-error-summary")
        checked(page, "profile-errors")
        page.check("input[name=degree_quantitative][value=yes]")
        page.fill("#quantitative_research_years", "2")
        page.click("#register-profile")
        page.wait_for_url(portal + "/dashboard")
        assert "You are registered as Nia Researcher" in page.inner_text("#accreditation-status")

        # ... and applies for full accreditation.
        page.click("#apply-link")
        page.wait_for_selector("h1:text('Apply for accreditation')")
        page.check("input[name=kind][value=full]")
        page.fill("#training-day", "1")
        page.fill("#training-month", "10")
        page.fill("#training-year", "2026")
        checked(page, "apply")
        page.click("#apply")
        page.wait_for_url(portal + "/dashboard")
        assert "Submitted" in page.inner_text("#application-list")

        page.click("#sign-out")
        page.wait_for_url(portal + "/")
        assert page.locator("#start").count() == 1
        response = page.goto(portal + "/dashboard")
        assert "/oidc/authorize?" in page.url, "a signed-out visitor is sent to sign in"
        assert response is not None

        page.fill("#username", email)
        page.fill("#password", "correct horse battery staple")
        page.click("#sign-in")
        page.wait_for_url(portal + "/dashboard")
        page.wait_for_selector("#project-list")

        # Their projects, and the project application form with the catalogue's datasets;
        # an incomplete application is refused in a GOV.UK error summary.
        page.goto(portal + "/projects")
        page.wait_for_selector("#project-list")
        checked(page, "projects")
        page.click("#project-apply-link")
        page.wait_for_selector("h1:text('Apply for a project')")
        assert page.locator("input[name=dataset_ids]").count() > 0
        checked(page, "project-apply")
        page.fill("#title", "Burglary security effectiveness")
        page.click("#project-apply")
        page.wait_for_selector(".govuk-error-summary")
        assert "Choose at least one dataset" in page.inner_text(".govuk-error-summary")
        checked(page, "project-apply-errors")

        page.goto(portal + "/register/researchers")
        checked(page, "researchers-register")
        page.goto(portal + "/register/projects")
        checked(page, "projects-register")
    finally:
        context.close()
    assert not csp_violations, csp_violations


def test_the_new_researchers_token_is_accepted_by_the_services(portal_stack):
    """The account made by sign-up gets the password grant's claims: the accreditation
    service accepts its token and registers the profile under its researcher id."""
    access = portal_stack.url("access")
    email = f"ria-{uuid.uuid4().hex[:8]}@example.ac.uk"
    with httpx.Client(base_url=access, follow_redirects=False) as browser_like:
        import base64
        import hashlib
        import re
        import secrets

        verifier = secrets.token_urlsafe(48)
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        portal = portal_stack.url("portal")
        params = {
            "response_type": "code",
            "client_id": "srs-portal",
            "redirect_uri": f"{portal}/auth/callback",
            "scope": "openid profile email",
            "state": "s",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        page = browser_like.get("/oidc/register", params=params)
        fields = dict(
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text)
        )
        created = browser_like.post(
            "/oidc/register",
            data={
                **fields,
                "name": "Ria Researcher",
                "email": email,
                "organisation": "org-ntu",
                "password": "correct horse battery staple",
            },
        )
        code = re.search(r"code=([^&]+)", created.headers["location"]).group(1)
        tokens = browser_like.post(
            "/oidc/token",
            auth=("srs-portal", "embedded-default-portal-secret-not-for-production"),
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": f"{portal}/auth/callback",
                "code_verifier": verifier,
            },
        ).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    registered = httpx.post(
        f"{portal_stack.url('accreditation')}/v1/researchers",
        headers=headers,
        json={
            "name": "Ria Researcher",
            "email": email,
            "qualifications": {
                "degree": "masters",
                "degree_quantitative": True,
                "quantitative_research_years": 2,
            },
        },
    )
    assert registered.status_code == 201, registered.text
    assert registered.json()["organisation_id"] == "org-ntu"
