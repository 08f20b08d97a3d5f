"""A researcher who has just created their account signs in, but the portal asks them to
confirm their e-mail address before they register their profile: the profile page says so
and can ask the provider for a new link; once the link is followed, the same page is the
registration form and the profile registers."""

from __future__ import annotations

import json
import re
import uuid
from urllib.parse import urlsplit

from sqlalchemy import select

from srs_access.models import messaging
from srs_common.contracts.accounts import EmailVerificationRequested

from ..conftest import PORTAL, hidden_fields, sign_in, start_sign_in

VALUES = {
    "name": "Nia Researcher",
    "degree": "masters",
    "degree_quantitative": "yes",
    "quantitative_research_years": "2",
}


def csrf_of(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


async def sign_up(world) -> str:
    """A new account through the provider's sign-up page; signed in to the portal."""
    page = await start_sign_in(world)
    href = re.search(r'id="create-account" href="([^"]+)"', page.text).group(1)
    form = await world["provider"].get(href.replace("&amp;", "&"))
    assert form.status_code == 200, form.text
    email = f"nia-{uuid.uuid4().hex[:8]}@example.ac.uk"
    created = await world["provider"].post(
        "/oidc/register",
        data={
            **hidden_fields(form),
            "name": "Nia Researcher",
            "email": email,
            "organisation": "org-ntu",
            "password": "correct horse battery staple",
        },
    )
    assert created.status_code == 303, created.text
    callback = created.headers["location"]
    assert callback.startswith(f"{PORTAL}/auth/callback?")
    landed = await world["portal"].get(callback)
    assert landed.status_code == 303 and landed.headers["location"] == "/dashboard"
    return email


async def links(world, email: str) -> list[str]:
    """The confirmation links the provider published for the notifier to mail."""
    async with world["access"].runtime.db.engine.connect() as conn:
        rows = (await conn.execute(select(messaging.outbox))).all()
    return [
        json.loads(r.payload)["verify_url"]
        for r in rows
        if r.type == EmailVerificationRequested.type and json.loads(r.payload)["email"] == email
    ]


async def test_the_profile_waits_for_the_confirmed_address(world):
    email = await sign_up(world)
    portal = world["portal"]
    page = await portal.get("/profile/register")
    assert page.status_code == 200
    assert "Confirm your e-mail address" in page.text and email in page.text
    assert 'id="register-profile"' not in page.text  # no form to fill in yet
    # Posting the form anyway is refused, and nothing is registered.
    refused = await portal.post(
        "/profile/register", data={**VALUES, "email": email, "csrf_token": csrf_of(page)}
    )
    assert refused.status_code == 403 and "Confirm your e-mail address" in refused.text
    researchers = await world["accreditation"].get(
        "/v1/researchers", headers=world["tokens"].headers("support", sub="support-1")
    )
    assert researchers.json()["items"] == []

    # A new link, on request (with the form's CSRF token only).
    assert (await portal.post("/profile/verification-email")).status_code == 403
    sent = await portal.post("/profile/verification-email", data={"csrf_token": csrf_of(page)})
    assert sent.status_code == 200, sent.text
    assert "We have sent you a new link" in sent.text and email in sent.text
    mailed = await links(world, email)
    assert len(mailed) == 2  # the sign-up's, and the new one

    # The person follows the link; the same page is now the registration form.
    link = urlsplit(mailed[-1])
    confirmed = await world["provider"].get(f"{link.path}?{link.query}")
    assert confirmed.status_code == 200 and "confirmed" in confirmed.text
    form = await portal.get("/profile/register")
    assert "Register your researcher profile" in form.text
    assert 'id="register-profile"' in form.text
    done = await portal.post(
        "/profile/register", data={**VALUES, "email": email, "csrf_token": csrf_of(form)}
    )
    assert done.status_code == 303 and done.headers["location"] == "/dashboard"


async def test_asking_for_links_is_limited_and_said_in_words(world):
    email = await sign_up(world)
    portal = world["portal"]
    page = await portal.get("/profile/register")
    for _ in range(2):
        sent = await portal.post("/profile/verification-email", data={"csrf_token": csrf_of(page)})
        assert sent.status_code == 200
    too_many = await portal.post("/profile/verification-email", data={"csrf_token": csrf_of(page)})
    assert too_many.status_code == 429
    assert "You have asked for several links" in too_many.text
    assert "govuk-error-summary" in too_many.text
    assert len(await links(world, email)) == 3


async def test_a_confirmed_or_staff_account_is_not_sent_links(world):
    await sign_in(world)  # a demo researcher: no address to confirm here
    portal = world["portal"]
    form = await portal.get("/profile/register")
    assert 'id="register-profile"' in form.text
    again = await portal.post("/profile/verification-email", data={"csrf_token": csrf_of(form)})
    assert again.status_code == 303 and again.headers["location"] == "/profile/register"


async def test_a_signed_out_visitor_cannot_ask_for_a_link(world):
    response = await world["portal"].post("/profile/verification-email")
    assert response.status_code in (303, 403)
