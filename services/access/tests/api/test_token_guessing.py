"""Password and client-secret guessing at the token endpoint: throttled per account and
per address (429 with Retry-After) without locking the real user out, unknown users
answered in the time known ones take, hashing off the event loop, old hashes upgraded."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from argon2 import PasswordHasher

from srs_access import passwords
from srs_access.models import User
from srs_access.seed import seed_demo_users

TOKEN = "/v1/auth/token"


@contextlib.asynccontextmanager
async def from_address(client: httpx.AsyncClient, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """Another client on the same app, seen as coming from ``address``."""
    transport = httpx.ASGITransport(app=client.app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        yield other


async def login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(
        TOKEN, data={"grant_type": "password", "username": username, "password": password}
    )


@pytest.fixture
async def guarded(service_client) -> AsyncIterator[httpx.AsyncClient]:
    async with service_client(
        "access",
        token_failures_per_account_address="3/15 minutes",
        token_failures_per_account="8/hour",
        token_failures_per_address="6/15 minutes",
    ) as client:
        async with client.runtime.db.transaction() as session:
            await seed_demo_users(session)
        yield client


async def test_429_after_failures_from_one_address_the_real_user_elsewhere_gets_in(guarded):
    async with (
        from_address(guarded, "198.51.100.7") as attacker,
        from_address(guarded, "203.0.113.20") as alice_at_home,
    ):
        for _ in range(3):
            assert (await login(attacker, "alice", "guess")).status_code == 400
        refused = await login(attacker, "alice", "alice-demo")  # even the right password
        assert refused.status_code == 429, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert 0 < int(refused.headers["retry-after"]) <= 15 * 60
        assert "retry after" in refused.json()["detail"]
        # The real user, from their own address, is not locked out by the attacker.
        mine = await login(alice_at_home, "alice", "alice-demo")
        assert mine.status_code == 200, mine.text
        # The attacker may still sign in to another account it knows the password of.
        assert (await login(attacker, "bob", "bob-demo")).status_code == 200


async def test_one_address_guessing_many_accounts_is_throttled(guarded):
    async with from_address(guarded, "198.51.100.8") as attacker:
        for name in ("u1", "u2", "u3", "u4", "u5", "u6"):
            assert (await login(attacker, name, "guess")).status_code == 400
        refused = await login(attacker, "u7", "guess")
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0


async def test_many_addresses_guessing_one_account_meet_its_ceiling(guarded):
    for i in range(4):
        async with from_address(guarded, f"192.0.2.{i + 1}") as attacker:
            for _ in range(2):
                assert (await login(attacker, "bob", "guess")).status_code == 400
    async with from_address(guarded, "192.0.2.99") as another:
        refused = await login(another, "bob", "guess")
    assert refused.status_code == 429


async def test_client_secrets_are_throttled_per_client_id(guarded, tokens):
    registered = await guarded.post(
        "/v1/clients",
        headers=tokens.headers("support"),
        json={"organisation_id": "org-ntu", "name": "NTU", "scopes": ["researchers:read"]},
    )
    if registered.status_code == 422:  # the organisation must exist first
        async with guarded.runtime.db.transaction() as session:
            from srs_access.seed import seed_catalogue

            await seed_catalogue(session)
        registered = await guarded.post(
            "/v1/clients",
            headers=tokens.headers("support"),
            json={"organisation_id": "org-ntu", "name": "NTU", "scopes": ["researchers:read"]},
        )
    assert registered.status_code == 201, registered.text
    client_id, secret = registered.json()["id"], registered.json()["client_secret"]

    def grant(s: str) -> dict:
        return {"grant_type": "client_credentials", "client_id": client_id, "client_secret": s}

    async with (
        from_address(guarded, "198.51.100.9") as attacker,
        from_address(guarded, "203.0.113.30") as partner,
    ):
        for _ in range(3):
            assert (await attacker.post(TOKEN, data=grant("srs_cs_wrong"))).status_code == 401
        refused = await attacker.post(TOKEN, data=grant(secret))
        assert refused.status_code == 429 and "retry-after" in refused.headers
        assert (await partner.post(TOKEN, data=grant(secret))).status_code == 200


async def test_unknown_users_take_as_long_as_known_ones(client):
    # Throttling is at its defaults (5 per account and address): each run uses fresh
    # addresses so that only the hashing is measured.
    async with client.runtime.db.transaction() as session:
        await seed_demo_users(session)

    async def timed(username: str, i: int) -> float:
        async with from_address(client, f"10.1.{len(username)}.{i}") as c:
            start = time.perf_counter()
            response = await login(c, username, "wrong-password")
            elapsed = time.perf_counter() - start
        assert response.status_code == 400
        return elapsed

    await timed("alice", 200)  # warm-up (the dummy hash is made once)
    await timed("nobody-at-all", 200)
    known, unknown = [], []
    for i in range(9):  # interleaved, so a busy moment of the machine hits both alike
        known.append(await timed("alice", i))
        unknown.append(await timed("nobody-at-all", i))
    # A dummy hash runs for the unknown user: the same order of time, not a shortcut.
    assert statistics.median(unknown) >= 0.5 * statistics.median(known), (known, unknown)
    assert statistics.median(unknown) <= 2.0 * statistics.median(known), (known, unknown)


async def test_the_event_loop_stays_responsive_while_passwords_are_hashed(client, monkeypatch):
    # A costlier hash than the default makes a stall of the loop stand well clear of the
    # machine's noise: the same code path, only the argon2 parameters differ.
    monkeypatch.setattr(
        passwords, "_HASHER", PasswordHasher(time_cost=8, memory_cost=19 * 1024, parallelism=1)
    )
    async with client.runtime.db.transaction() as session:
        await seed_demo_users(session)
        (await session.get(User, "alice")).password_hash = passwords.hash_password("alice-demo")
    single = min(_timed_verify() for _ in range(3))
    async with from_address(client, "10.2.1.1") as c:  # warm-up: first-request work
        assert (await login(c, "alice", "alice-demo")).status_code == 200
    gaps: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        await asyncio.sleep(0)
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    results = []
    for i in range(4):
        async with from_address(client, f"10.2.0.{i}") as c:
            results.append(await login(c, "alice", "alice-demo" if i % 2 else "wrong"))
    stop.set()
    await ticking
    assert [r.status_code for r in results] == [400, 200, 400, 200]
    # Hashing on the loop would stall it for a whole hash once per login.
    assert max(gaps) < 0.5 * single, (sorted(gaps)[-3:], single)


def _timed_verify() -> float:
    stored = passwords.hash_password("x")
    start = time.perf_counter()
    passwords.verify_password("y", stored)
    return time.perf_counter() - start


async def test_an_old_scrypt_hash_still_signs_in_and_is_upgraded_to_argon2(client):
    import base64
    import hashlib
    import os

    salt = os.urandom(16)
    digest = hashlib.scrypt(b"carol-pass", salt=salt, n=2**14, r=8, p=1)
    legacy = f"scrypt${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"
    async with client.runtime.db.transaction() as session:
        session.add(
            User(
                username="carol",
                password_hash=legacy,
                roles=["researcher"],
                researcher_id="res-carol",
                organisation_id="org-ntu",
            )
        )
    assert (await login(client, "carol", "wrong")).status_code == 400
    assert (await login(client, "carol", "carol-pass")).status_code == 200
    async with client.runtime.db.transaction() as session:
        stored = (await session.get(User, "carol")).password_hash
    assert stored.startswith("$argon2id$")
    assert (await login(client, "carol", "carol-pass")).status_code == 200
