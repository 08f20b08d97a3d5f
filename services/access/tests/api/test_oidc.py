"""The embedded OpenID Connect provider: discovery, the authorization code flow with
PKCE through the sign-in and sign-up pages, the refusals (replayed code, PKCE mismatch,
wrong redirect_uri, missing PKCE, unknown redirect), refresh rotation, userinfo, sign-out."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import re
import secrets
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.oidc.discovery import OpenIDProviderMetadata
from jose import jwt
from sqlalchemy import select

from srs_access.models import User
from srs_access.oidc.grants import token_hash
from srs_access.oidc.models import AuthorizationCode, RefreshToken
from srs_access.seed import seed_catalogue, seed_demo_users
from srs_common.db import utcnow

CLIENT_ID = "srs-portal"
SECRET = "portal-test-secret"
REDIRECT = "http://portal.test/auth/callback"
AFTER_LOGOUT = "http://portal.test/"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


@pytest.fixture
async def provider(service_client) -> AsyncIterator[httpx.AsyncClient]:
    async with service_client(
        "access",
        portal_client_secret=SECRET,
        portal_redirect_uris=[REDIRECT],
        portal_post_logout_redirect_uris=[AFTER_LOGOUT],
    ) as client:
        async with client.runtime.db.transaction() as session:
            await seed_catalogue(session)
            await seed_demo_users(session)
        yield client


def authorize_params(challenge: str, **overrides: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": "openid profile email",
        "state": secrets.token_urlsafe(8),
        "nonce": secrets.token_urlsafe(8),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return params


def form_token(page: httpx.Response) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


async def sign_in(
    client: httpx.AsyncClient,
    params: dict[str, str],
    username: str = "alice",
    password: str = "alice-demo",
) -> httpx.Response:
    page = await client.get("/oidc/authorize", params=params)
    assert page.status_code == 200, page.text
    return await client.post(
        "/oidc/authorize",
        data={**params, "username": username, "password": password, "form_token": form_token(page)},
    )


def code_of(response: httpx.Response, params: dict[str, str]) -> str:
    assert response.status_code == 303, response.text
    target = urlsplit(response.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == REDIRECT
    query = parse_qs(target.query)
    assert query["state"] == [params["state"]]
    return query["code"][0]


async def exchange(
    client: httpx.AsyncClient, code: str, verifier: str, redirect_uri: str = REDIRECT
) -> httpx.Response:
    return await client.post(
        "/oidc/token",
        auth=(CLIENT_ID, SECRET),
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },
    )


async def signed_in(client: httpx.AsyncClient) -> tuple[dict, dict[str, str]]:
    verifier, challenge = pkce()
    params = authorize_params(challenge)
    code = code_of(await sign_in(client, params), params)
    response = await exchange(client, code, verifier)
    assert response.status_code == 200, response.text
    return response.json(), params


async def test_discovery_names_the_endpoints_and_requires_s256(provider, monkeypatch):
    # Authlib's metadata check wants https, which the embedded default on loopback lacks.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    response = await provider.get("/.well-known/openid-configuration")
    assert response.status_code == 200
    metadata = OpenIDProviderMetadata(response.json())
    metadata.validate()
    assert metadata["issuer"] == "http://testserver"
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert (await provider.get(urlsplit(metadata["jwks_uri"]).path)).status_code == 200


async def test_code_and_pkce_exchange_yields_tokens_jwks_verifies(provider, tokens):
    body, params = await signed_in(provider)
    assert body["token_type"] == "Bearer" and body["refresh_token"]
    jwks = (await provider.get("/.well-known/jwks.json")).json()
    id_claims = jwt.decode(
        body["id_token"],
        jwks,
        algorithms=["RS256"],
        audience=CLIENT_ID,
        issuer="http://testserver",
        access_token=body["access_token"],
    )
    assert id_claims["sub"] == "alice" and id_claims["nonce"] == params["nonce"]
    assert 0 <= id_claims["iat"] - id_claims["auth_time"] < 30  # when she signed in
    # The access token carries what the password grant gives, and every service accepts it.
    access = jwt.decode(
        body["access_token"], jwks, algorithms=["RS256"], audience="srs", issuer="srs-access"
    )
    assert access["roles"] == ["researcher"]
    assert access["researcher_id"] == "res-alice" and access["org"] == "org-ntu"
    info = await provider.get(
        "/oidc/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert info.status_code == 200
    assert info.json()["sub"] == "alice" and info.json()["researcher_id"] == "res-alice"
    assert info.headers["cache-control"] == "no-store"


async def test_a_replayed_code_is_refused_and_revokes_what_it_gave(provider):
    verifier, challenge = pkce()
    params = authorize_params(challenge)
    code = code_of(await sign_in(provider, params), params)
    first = await exchange(provider, code, verifier)
    assert first.status_code == 200
    replay = await exchange(provider, code, verifier)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert "already been used" in replay.json()["error_description"]
    refreshed = await provider.post(
        "/oidc/token",
        auth=(CLIENT_ID, SECRET),
        data={"grant_type": "refresh_token", "refresh_token": first.json()["refresh_token"]},
    )
    assert refreshed.status_code == 400
    assert "revoked" in refreshed.json()["error_description"]


async def test_a_pkce_mismatch_is_refused_and_burns_the_code(provider):
    verifier, challenge = pkce()
    params = authorize_params(challenge)
    code = code_of(await sign_in(provider, params), params)
    wrong = await exchange(provider, code, secrets.token_urlsafe(48))
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    assert "PKCE" in wrong.json()["error_description"]
    # The right verifier afterwards does not rescue a code an attacker has tried.
    assert (await exchange(provider, code, verifier)).status_code == 400


async def test_a_wrong_redirect_uri_at_exchange_is_refused(provider):
    verifier, challenge = pkce()
    params = authorize_params(challenge)
    code = code_of(await sign_in(provider, params), params)
    response = await exchange(provider, code, verifier, redirect_uri=REDIRECT + "/other")
    assert response.status_code == 400
    assert "redirect_uri" in response.json()["error_description"]


async def test_a_wrong_client_secret_is_invalid_client(provider):
    verifier, challenge = pkce()
    params = authorize_params(challenge)
    code = code_of(await sign_in(provider, params), params)
    response = await provider.post(
        "/oidc/token",
        auth=(CLIENT_ID, "nope"),
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_an_unregistered_redirect_uri_is_never_redirected_to(provider):
    _, challenge = pkce()
    page = await provider.get(
        "/oidc/authorize",
        params=authorize_params(challenge, redirect_uri="https://evil.example/steal"),
    )
    assert page.status_code == 400
    assert "location" not in page.headers
    assert "not registered" in page.text


async def test_pkce_is_required(provider):
    response = await provider.get(
        "/oidc/authorize", params=authorize_params("", code_challenge_method="plain")
    )
    assert response.status_code == 303
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["error"] == ["invalid_request"] and "PKCE" in query["error_description"][0]


async def test_a_sign_in_form_without_its_token_is_refused(provider):
    _, challenge = pkce()
    params = authorize_params(challenge)
    response = await provider.post(
        "/oidc/authorize",
        data={**params, "username": "alice", "password": "alice-demo", "form_token": "forged"},
    )
    assert response.status_code == 400
    assert "location" not in response.headers
    assert "expired" in response.text


async def test_a_wrong_password_shows_the_page_again(provider):
    _, challenge = pkce()
    response = await sign_in(provider, authorize_params(challenge), password="not-hers")
    assert response.status_code == 401
    assert "The username or password is not right" in response.text
    assert response.headers["cache-control"] == "no-store"


async def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_sign_in(provider):
    body, _ = await signed_in(provider)
    first = body["refresh_token"]
    rotated = await provider.post(
        "/oidc/token",
        auth=(CLIENT_ID, SECRET),
        data={"grant_type": "refresh_token", "refresh_token": first},
    )
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()["refresh_token"]
    assert second != first and rotated.json()["access_token"]
    async with provider.runtime.db.transaction() as session:
        stored = await session.get(RefreshToken, token_hash(second))
        assert stored is not None  # stored by its hash, never in clear
        assert (
            await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == second))
            is None
        )
    reused = await provider.post(
        "/oidc/token",
        auth=(CLIENT_ID, SECRET),
        data={"grant_type": "refresh_token", "refresh_token": first},
    )
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    # The reuse revoked the family: the newest token stops working too.
    after = await provider.post(
        "/oidc/token",
        auth=(CLIENT_ID, SECRET),
        data={"grant_type": "refresh_token", "refresh_token": second},
    )
    assert after.status_code == 400


async def test_sign_up_creates_a_researcher_and_signs_them_in(provider):
    verifier, challenge = pkce()
    params = authorize_params(challenge)
    page = await provider.get("/oidc/register", params=params)
    assert page.status_code == 200 and "Nottingham Trent" in page.text
    email = f"new-{secrets.token_hex(4)}@example.ac.uk"
    response = await provider.post(
        "/oidc/register",
        data={
            **params,
            "name": "Nia Researcher",
            "email": email.upper(),
            "organisation": "org-ntu",
            "password": "a long enough password",
            "form_token": form_token(page),
        },
    )
    code = code_of(response, params)
    tokens_ = (await exchange(provider, code, verifier)).json()
    claims = jwt.get_unverified_claims(tokens_["access_token"])
    assert claims["sub"] == email and claims["roles"] == ["researcher"]
    assert claims["org"] == "org-ntu" and claims["researcher_id"].startswith("res-")
    assert jwt.get_unverified_claims(tokens_["id_token"])["name"] == "Nia Researcher"
    async with provider.runtime.db.transaction() as session:
        user = await session.get(User, email)
        assert user is not None and user.password_hash.startswith("$argon2id$")
    # The same address cannot sign up twice; the page says why.
    again = await provider.get("/oidc/register", params=params)
    second = await provider.post(
        "/oidc/register",
        data={
            **params,
            "name": "Someone",
            "email": email,
            "organisation": "org-ntu",
            "password": "another long password",
            "form_token": form_token(again),
        },
    )
    assert second.status_code == 422
    assert "already exists" in second.text


async def test_sign_up_refuses_a_short_password_and_an_unknown_organisation(provider):
    _, challenge = pkce()
    params = authorize_params(challenge)
    page = await provider.get("/oidc/register", params=params)
    response = await provider.post(
        "/oidc/register",
        data={
            **params,
            "name": "X",
            "email": "x@example.ac.uk",
            "organisation": "org-nowhere",
            "password": "short",
            "form_token": form_token(page),
        },
    )
    assert response.status_code == 422
    assert "Choose your organisation" in response.text
    assert "at least 12 characters" in response.text


async def test_sign_out_revokes_refresh_tokens_and_returns_only_to_allowed_addresses(provider):
    body, _ = await signed_in(provider)
    refused = await provider.get(
        "/oidc/logout",
        params={
            "id_token_hint": body["id_token"],
            "post_logout_redirect_uri": "https://evil.example/",
        },
    )
    assert refused.status_code == 400 and "location" not in refused.headers
    out = await provider.get(
        "/oidc/logout",
        params={
            "id_token_hint": body["id_token"],
            "post_logout_redirect_uri": AFTER_LOGOUT,
            "state": "s1",
        },
    )
    assert out.status_code == 303
    assert out.headers["location"] == AFTER_LOGOUT + "?state=s1"
    refreshed = await provider.post(
        "/oidc/token",
        auth=(CLIENT_ID, SECRET),
        data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
    )
    assert refreshed.status_code == 400


async def test_the_sign_in_page_is_throttled_like_the_token_endpoint(service_client):
    async with service_client(
        "access",
        portal_client_secret=SECRET,
        portal_redirect_uris=[REDIRECT],
        token_failures_per_account_address="3/15 minutes",
    ) as client:
        async with client.runtime.db.transaction() as session:
            await seed_demo_users(session)
        _, challenge = pkce()
        params = authorize_params(challenge)
        for _ in range(3):
            assert (await sign_in(client, params, password="guess")).status_code == 401
        refused = await sign_in(client, params)  # even the right password, for now
        assert refused.status_code == 429
        assert 0 < int(refused.headers["retry-after"]) <= 15 * 60
        assert "Too many failed sign-in attempts" in refused.text
        # The token endpoint counts the same failures: one guard for both doors.
        token = await client.post(
            "/v1/auth/token",
            data={"grant_type": "password", "username": "alice", "password": "alice-demo"},
        )
        assert token.status_code == 429


async def test_an_expired_code_is_refused(provider):
    verifier, challenge = pkce()
    params = authorize_params(challenge)
    code = code_of(await sign_in(provider, params), params)
    async with provider.runtime.db.transaction() as session:
        stored = await session.get(AuthorizationCode, token_hash(code))
        assert stored is not None
        assert (stored.expires_at - stored.created_at).total_seconds() == 60
        stored.expires_at = utcnow() - dt.timedelta(seconds=1)
    response = await exchange(provider, code, verifier)
    assert response.status_code == 400
    assert "expired" in response.json()["error_description"]


async def test_two_sign_ups_racing_for_one_address_make_one_account(provider):
    _, challenge = pkce()
    params = authorize_params(challenge)
    page = await provider.get("/oidc/register", params=params)
    email = f"twin-{secrets.token_hex(4)}@example.ac.uk"
    form = {
        **params,
        "name": "Twin",
        "email": email,
        "organisation": "org-ntu",
        "password": "a long enough password",
        "form_token": form_token(page),
    }
    first, second = await asyncio.gather(
        provider.post("/oidc/register", data=form), provider.post("/oidc/register", data=form)
    )
    assert sorted([first.status_code, second.status_code]) == [303, 422]
    loser = first if first.status_code == 422 else second
    assert "already exists" in loser.text
