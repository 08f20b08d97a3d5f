"""End-to-end: every service as its own uvicorn process, a real Tansu broker, real
databases (PostgreSQL when TEST_DATABASE_URL is set), driven only through HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from srs_common.broker import free_port
from srs_common.devstack import SERVICES, Stack
from srs_common.testing import database_url_for, ensure_postgres_database
from srs_common.tokens import SigningKey, issue_token


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    var_dir: Path = tmp_path_factory.mktemp("stack")
    urls = {}
    for service in SERVICES:
        url = database_url_for(service, var_dir, suffix="_e2e")
        if url.startswith("postgresql"):
            ensure_postgres_database(url, recreate=True)
        urls[service] = url
    key = SigningKey.generate()
    stack = Stack(
        var_dir=var_dir,
        ports={s: free_port() for s in SERVICES},
        smtp_port=free_port(),
        database_urls=urls,
        log_json=True,
        signing_key=key,
        extra_env={"SRS_FETCH_MAX_WAIT_MS": "50", "SRS_SESSION_TIMEOUT_MS": "6000"},
    )
    stack.start(timeout=90)
    try:
        stack.wait_consumers(
            issue_token(key, sub="e2e-ops", roles=["ops"], issuer="srs-access", audience="srs")
        )
        yield stack
    finally:
        stack.stop()


def login(stack: Stack, username: str) -> dict[str, str]:
    response = httpx.post(
        f"{stack.url('access')}/v1/auth/token",
        data={"grant_type": "password", "username": username, "password": f"{username}-demo"},
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def wait_for(check, timeout: float, interval: float = 0.05):
    """Poll an awaited condition until it returns a truthy value; return it and the time."""
    started = time.monotonic()
    while True:
        value = check()
        if value:
            return value, time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)
