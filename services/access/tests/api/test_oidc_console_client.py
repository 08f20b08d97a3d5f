"""The operations console, the provider's second registered client: its own id, secret
and redirect URIs; nothing of one client works for the other."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from srs_access.seed import seed_catalogue, seed_demo_users

CONSOLE = "srs-ops-console"
CONSOLE_SECRET = "console-test-secret"
CONSOLE_REDIRECT = "http://ops.test/console/auth/callback"
PORTAL = "srs-portal"
PORTAL_SECRET = "portal-test-secret"
PORTAL_REDIRECT = "http://portal.test/auth/callback"


@pytest.fixture
async def provider(service_client) -> AsyncIterator[httpx.AsyncClient]:
    async with service_client(
        "access",
        portal_client_secret=PORTAL_SECRET,
        portal_redirect_uris=[PORTAL_REDIRECT],
        console_client_secret=CONSOLE_SECRET,
        console_redirect_uris=[CONSOLE_REDIRECT],
        console_post_logout_redirect_uris=["http://ops.test/console"],
    ) as client:
        async with client.runtime.db.transaction() as session:
            await seed_catalogue(session)
            await seed_demo_users(session)
        yield client


def authorize_params(client_id: str, redirect_uri: str) -> tuple[str, dict[str, str]]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid profile",
        "state": secrets.token_urlsafe(8),
        "code_challenge": base64.urlsafe_b64encode(digest).rstrip(b"=").decode(),
        "code_challenge_method": "S256",
    }


async def code_for(provider: httpx.AsyncClient, params: dict[str, str], username: str) -> str:
    page = await provider.get("/oidc/authorize", params=params)
    assert page.status_code == 200, page.text
    token = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert token
    answer = await provider.post(
        "/oidc/authorize",
        data={
            **params,
            "username": username,
            "password": f"{username}-demo",
            "form_token": token.group(1),
        },
    )
    assert answer.status_code == 303, answer.text
    target = urlsplit(answer.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == params["redirect_uri"]
    return parse_qs(target.query)["code"][0]


async def exchange(
    provider: httpx.AsyncClient, auth: tuple[str, str], code: str, verifier: str, redirect: str
) -> httpx.Response:
    return await provider.post(
        "/oidc/token",
        auth=auth,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect,
            "code_verifier": verifier,
        },
    )


async def test_the_console_signs_an_operator_in_with_its_own_credentials(provider, tokens):
    verifier, params = authorize_params(CONSOLE, CONSOLE_REDIRECT)
    code = await code_for(provider, params, "ops")
    response = await exchange(provider, (CONSOLE, CONSOLE_SECRET), code, verifier, CONSOLE_REDIRECT)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["refresh_token"] and body["id_token"]
    from jose import jwt

    claims = jwt.get_unverified_claims(body["id_token"])
    assert claims["aud"] == CONSOLE and claims["roles"] == ["ops"]


@pytest.mark.parametrize(
    "redirect_uri",
    [PORTAL_REDIRECT, "http://ops.test/console/auth/callback/other", "https://evil.example/cb"],
)
async def test_a_redirect_uri_not_registered_for_the_console_is_refused(provider, redirect_uri):
    _, params = authorize_params(CONSOLE, redirect_uri)
    page = await provider.get("/oidc/authorize", params=params)
    assert page.status_code == 400
    assert "location" not in page.headers
    assert "not registered" in page.text


async def test_the_console_redirect_uri_is_not_the_portals(provider):
    _, params = authorize_params(PORTAL, CONSOLE_REDIRECT)
    page = await provider.get("/oidc/authorize", params=params)
    assert page.status_code == 400 and "location" not in page.headers


async def test_one_clients_code_or_secret_is_useless_to_the_other(provider):
    verifier, params = authorize_params(CONSOLE, CONSOLE_REDIRECT)
    code = await code_for(provider, params, "ops")
    wrong_secret = await exchange(
        provider, (CONSOLE, PORTAL_SECRET), code, verifier, CONSOLE_REDIRECT
    )
    assert wrong_secret.status_code == 401
    assert wrong_secret.json()["error"] == "invalid_client"
    as_portal = await exchange(provider, (PORTAL, PORTAL_SECRET), code, verifier, CONSOLE_REDIRECT)
    assert as_portal.status_code == 400
    assert as_portal.json()["error"] == "invalid_grant"
