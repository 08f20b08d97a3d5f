"""The portal in real Chromium (Playwright) against real processes: the platform, the
access service as the OpenID Connect provider, and the portal on its own port. A new
researcher signs up, lands on their dashboard, confirms their e-mail address by the link
the notifier mailed them (the stack's mail sink), registers their profile, applies for
accreditation, signs out and signs in again; every page
passes axe-core with no serious or critical violation and runs under its
Content-Security-Policy without a violation."""

from __future__ import annotations

import email
import email.policy
import re
import uuid
from pathlib import Path

import httpx
import pytest

from .conftest import wait_for
from .portal import checked, watch_csp

pytestmark = pytest.mark.e2e


def confirmation_link(stack, address: str) -> str:
    """The link that confirms ``address``, from the e-mail the notifier sent to it (the
    stack's SMTP sink writes every message under var/mail)."""

    def find() -> str | None:
        for path in sorted((Path(stack.var_dir) / "mail").glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if address not in str(message.get("X-Sink-Envelope-To", "")):
                continue
            body = message.get_body(preferencelist=("plain",))
            found = re.search(
                r"\S+/oidc/verify-email\?token=[\w%-]+", body.get_content() if body else ""
            )
            if found:
                return found.group(0)
        return None

    link, _ = wait_for(find, timeout=60, interval=0.2)
    return str(link)


# The first portal test may start the shared stack (minutes on a loaded machine), and this
# one waits for the notifier's e-mail.
@pytest.mark.timeout(900)
def test_a_new_researcher_signs_up_signs_in_and_sees_their_dashboard(portal_stack, browser):
    portal = portal_stack.url("portal")
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    csp_violations = watch_csp(page)
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

        # The new researcher registers their profile, the first step to accreditation,
        # once they have confirmed their e-mail address by the link mailed to them.
        page.click("#register-profile-link")
        page.wait_for_selector("h1:text('Confirm your e-mail address')")
        checked(page, "confirm-email")
        page.goto(confirmation_link(portal_stack, email))
        page.wait_for_selector("h1:text('Your e-mail address is confirmed')")
        page.goto(portal + "/profile/register")
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
    profile = {
        "name": "Ria Researcher",
        "email": email,
        "qualifications": {
            "degree": "masters",
            "degree_quantitative": True,
            "quantitative_research_years": 2,
        },
    }
    researchers = f"{portal_stack.url('accreditation')}/v1/researchers"
    # Not before the address is confirmed: the token says so, the service refuses.
    unconfirmed = httpx.post(
        researchers, headers={"Authorization": f"Bearer {tokens['access_token']}"}, json=profile
    )
    assert unconfirmed.status_code == 403, unconfirmed.text
    assert "confirm your e-mail address" in unconfirmed.json()["detail"]
    assert httpx.get(confirmation_link(portal_stack, email)).status_code == 200
    refreshed = httpx.post(
        f"{portal_stack.url('access')}/oidc/token",
        auth=("srs-portal", "embedded-default-portal-secret-not-for-production"),
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    ).json()
    headers = {"Authorization": f"Bearer {refreshed['access_token']}"}
    registered = httpx.post(researchers, headers=headers, json=profile)
    assert registered.status_code == 201, registered.text
    assert registered.json()["organisation_id"] == "org-ntu"
