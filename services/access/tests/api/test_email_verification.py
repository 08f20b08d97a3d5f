"""E-mail verification at sign-up: an account made at /oidc/register signs in at once but its
tokens say ``email_verified: false`` until the person follows the link the notifier
e-mails them (the link travels in ``srs.account.email_verification_requested.v1`` through
the outbox); the link works once and expires; a new one can be asked for, a few times."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import secrets
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from jose import jwt
from sqlalchemy import select, update

from srs_access.models import messaging
from srs_access.oidc.models import EmailVerification
from srs_access.seed import seed_catalogue, seed_demo_users
from srs_common.contracts.accounts import EmailVerificationRequested

CLIENT_ID = "srs-portal"
SECRET = "portal-test-secret"
REDIRECT = "http://portal.test/auth/callback"
ISSUER = "https://id.srs.test"


@pytest.fixture
async def provider(service_client) -> AsyncIterator[httpx.AsyncClient]:
    async with service_client(
        "access",
        portal_client_secret=SECRET,
        portal_redirect_uris=[REDIRECT],
        oidc_issuer=ISSUER,
    ) as client:
        async with client.runtime.db.transaction() as session:
            await seed_catalogue(session)
            await seed_demo_users(session)
        yield client


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def _params(challenge: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": "openid profile email",
        "state": secrets.token_urlsafe(8),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }


def _form_token(page: httpx.Response) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


async def _tokens(client: httpx.AsyncClient, response: httpx.Response, verifier: str) -> dict:
    assert response.status_code == 303, response.text
    code = parse_qs(urlsplit(response.headers["location"]).query)["code"][0]
    exchanged = await client.post(
        "/oidc/token",
        auth=(CLIENT_ID, SECRET),
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
    )
    assert exchanged.status_code == 200, exchanged.text
    return exchanged.json()


async def sign_up(client: httpx.AsyncClient) -> tuple[str, dict]:
    verifier, challenge = _pkce()
    params = _params(challenge)
    page = await client.get("/oidc/register", params=params)
    email = f"new-{secrets.token_hex(4)}@example.ac.uk"
    response = await client.post(
        "/oidc/register",
        data={
            **params,
            "name": "Nia Researcher",
            "email": email,
            "organisation": "org-ntu",
            "password": "a long enough password",
            "form_token": _form_token(page),
        },
    )
    return email, await _tokens(client, response, verifier)


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> dict:
    verifier, challenge = _pkce()
    params = _params(challenge)
    page = await client.get("/oidc/authorize", params=params)
    response = await client.post(
        "/oidc/authorize",
        data={
            **params,
            "username": username,
            "password": password,
            "form_token": _form_token(page),
        },
    )
    return await _tokens(client, response, verifier)


async def mailed_links(client: httpx.AsyncClient, email: str) -> list[EmailVerificationRequested]:
    """What the access service published for the notifier to mail to ``email``."""
    async with client.runtime.db.engine.connect() as conn:
        rows = (await conn.execute(select(messaging.outbox).order_by(messaging.outbox.c.id))).all()
    events = [
        EmailVerificationRequested.model_validate(json.loads(r.payload))
        for r in rows
        if r.type == EmailVerificationRequested.type
    ]
    return [e for e in events if e.email == email]


def claims(token: str) -> dict:
    return jwt.get_unverified_claims(token)


def bearer(tokens: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def test_a_sign_up_is_unverified_until_the_mailed_link_is_followed(provider):
    email, tokens = await sign_up(provider)
    # Signed in at once, but every token says the address is not confirmed yet.
    assert claims(tokens["access_token"])["email_verified"] is False
    assert claims(tokens["id_token"])["email_verified"] is False
    info = await provider.get("/oidc/userinfo", headers=bearer(tokens))
    assert info.json()["email_verified"] is False
    # One link, to this person, naming them, at the provider's issuer, in the outbox.
    (event,) = await mailed_links(provider, email)
    assert event.name == "Nia Researcher" and event.organisation_id == "org-ntu"
    assert event.researcher_id == claims(tokens["access_token"])["researcher_id"]
    assert event.verify_url.startswith(f"{ISSUER}/oidc/verify-email?token=")
    assert dt.timedelta(hours=47) < event.expires_at - event.occurred_at <= dt.timedelta(hours=48)
    link = urlsplit(event.verify_url)
    page = await provider.get(f"{link.path}?{link.query}")
    assert page.status_code == 200, page.text
    assert "Your e-mail address is confirmed" in page.text
    assert page.headers["cache-control"] == "no-store"
    # The next tokens say so (a refresh, and a new sign-in).
    refreshed = await provider.post(
        "/oidc/token",
        auth=(CLIENT_ID, SECRET),
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    assert claims(refreshed.json()["access_token"])["email_verified"] is True
    again = await sign_in(provider, email, "a long enough password")
    assert claims(again["id_token"])["email_verified"] is True
    # The password grant (scripts) gives the same claim.
    scripted = await provider.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": "a long enough password"},
    )
    assert claims(scripted.json()["access_token"])["email_verified"] is True
    # Following the link again changes nothing and says so.
    second = await provider.get(f"{link.path}?{link.query}")
    assert second.status_code == 200 and "already confirmed" in second.text


async def test_a_wrong_or_expired_link_confirms_nothing(provider):
    email, tokens = await sign_up(provider)
    (event,) = await mailed_links(provider, email)
    token = parse_qs(urlsplit(event.verify_url).query)["token"][0]
    for wrong in ("", "not-a-token", token[:-2]):
        page = await provider.get("/oidc/verify-email", params={"token": wrong})
        assert page.status_code == 400 and "does not work" in page.text
    async with provider.runtime.db.transaction() as session:
        await session.execute(
            update(EmailVerification)
            .where(EmailVerification.username == email)
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    expired = await provider.get("/oidc/verify-email", params={"token": token})
    assert expired.status_code == 400 and "expired" in expired.text
    refreshed = await provider.post(
        "/oidc/token",
        auth=(CLIENT_ID, SECRET),
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    assert claims(refreshed.json()["access_token"])["email_verified"] is False
    # Only hashes are stored: the table alone holds no working link.
    async with provider.runtime.db.transaction() as session:
        stored = (await session.scalars(select(EmailVerification.token_hash))).all()
    assert token not in stored


async def test_a_new_link_can_be_asked_for_a_few_times(provider):
    email, tokens = await sign_up(provider)
    assert (await provider.post("/oidc/verification-email")).status_code == 401
    for _ in range(2):
        sent = await provider.post("/oidc/verification-email", headers=bearer(tokens))
        assert sent.status_code == 202, sent.text
        assert sent.json() == {"status": "sent", "email": email}
    assert len(await mailed_links(provider, email)) == 3  # the sign-up's and two more
    refused = await provider.post("/oidc/verification-email", headers=bearer(tokens))
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert 0 < int(refused.headers["retry-after"]) <= 15 * 60
    assert len(await mailed_links(provider, email)) == 3
    # Any of the links confirms the address; then there is nothing left to confirm.
    link = urlsplit((await mailed_links(provider, email))[1].verify_url)
    assert (await provider.get(f"{link.path}?{link.query}")).status_code == 200
    newer = await sign_in(provider, email, "a long enough password")
    done = await provider.post("/oidc/verification-email", headers=bearer(newer))
    assert done.status_code == 409


async def test_staff_and_demo_accounts_carry_no_claim_and_get_no_link(provider):
    tokens = await provider.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": "alice", "password": "alice-demo"},
    )
    assert "email_verified" not in claims(tokens.json()["access_token"])
    refused = await provider.post("/oidc/verification-email", headers=bearer(tokens.json()))
    assert refused.status_code == 409
