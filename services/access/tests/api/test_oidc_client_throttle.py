"""Client secret guessing at the OpenID Connect token endpoint (/oidc/token): throttled per
client id and per address like passwords (429 with Retry-After, problem+json), without
locking the real client out from its own address."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest

CLIENT_ID = "srs-portal"
SECRET = "portal-test-secret"
REFRESH = {"grant_type": "refresh_token", "refresh_token": "not-a-real-refresh-token"}


@contextlib.asynccontextmanager
async def from_address(client: httpx.AsyncClient, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """Another client on the same app, seen as coming from ``address``."""
    transport = httpx.ASGITransport(app=client.app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        yield other


@pytest.fixture
async def provider(service_client) -> AsyncIterator[httpx.AsyncClient]:
    async with service_client(
        "access",
        portal_client_secret=SECRET,
        token_failures_per_account_address="3/15 minutes",
        token_failures_per_account="8/hour",
        token_failures_per_address="5/15 minutes",
    ) as client:
        yield client


async def test_wrong_client_secrets_from_one_address_get_429_the_real_client_elsewhere_not(
    provider,
):
    async with (
        from_address(provider, "198.51.100.7") as attacker,
        from_address(provider, "203.0.113.20") as portal,
    ):
        for _ in range(3):
            wrong = await attacker.post("/oidc/token", auth=(CLIENT_ID, "guess"), data=REFRESH)
            assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
        # Past the limit even the right secret is refused, before it is checked.
        refused = await attacker.post("/oidc/token", auth=(CLIENT_ID, SECRET), data=REFRESH)
        assert refused.status_code == 429, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert 0 < int(refused.headers["retry-after"]) <= 15 * 60
        assert refused.headers["cache-control"] == "no-store"
        # The portal itself, from its own address, still authenticates (the refresh token
        # is what is wrong here, not the client).
        mine = await portal.post("/oidc/token", auth=(CLIENT_ID, SECRET), data=REFRESH)
        assert mine.status_code == 400 and mine.json()["error"] == "invalid_grant"


async def test_secrets_in_the_form_body_count_the_same(provider):
    async with from_address(provider, "198.51.100.9") as attacker:
        for _ in range(3):
            wrong = await attacker.post(
                "/oidc/token", data={**REFRESH, "client_id": CLIENT_ID, "client_secret": "x"}
            )
            assert wrong.status_code == 401
        # The same client id over HTTP Basic is the same account.
        refused = await attacker.post("/oidc/token", auth=(CLIENT_ID, "y"), data=REFRESH)
        assert refused.status_code == 429


async def test_one_address_trying_many_client_ids_is_throttled(provider):
    async with from_address(provider, "198.51.100.8") as attacker:
        for n in range(5):
            wrong = await attacker.post("/oidc/token", auth=(f"client-{n}", "x"), data=REFRESH)
            assert wrong.status_code == 401
        refused = await attacker.post("/oidc/token", auth=("client-9", "x"), data=REFRESH)
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0


async def test_a_right_secret_is_not_counted_as_a_failure(provider):
    async with from_address(provider, "198.51.100.10") as portal:
        for _ in range(6):
            ok = await portal.post("/oidc/token", auth=(CLIENT_ID, SECRET), data=REFRESH)
            assert ok.status_code == 400 and ok.json()["error"] == "invalid_grant"
