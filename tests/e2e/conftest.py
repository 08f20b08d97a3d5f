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

from .portal import AXE, CHROMIUM, FLAGS

# Both stacks live for the whole session (the browser tests at its end use them), beside
# the reliability suite's own processes: small connection pools (3, overflowing to 6 per
# process) keep them all within PostgreSQL's default 100 connections.
STACK_ENV = {
    "SRS_FETCH_MAX_WAIT_MS": "50",
    "SRS_SESSION_TIMEOUT_MS": "6000",
    **{f"SRS_{service.upper()}_DB_POOL_SIZE": "3" for service in (*SERVICES, "portal")},
}


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
        extra_env=STACK_ENV,
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


@pytest.fixture(scope="session")
def portal_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The platform with the portal as ``make run`` serves it, every service in one
    process (:mod:`srs_common.together`; the ``stack`` above runs each in its own and has
    no portal), shared by every portal browser test."""
    var_dir = tmp_path_factory.mktemp("portal-stack")
    urls = {}
    for service in (*SERVICES, "portal"):
        url = database_url_for(service, var_dir, suffix="_e2e_portal")
        if url.startswith("postgresql"):
            ensure_postgres_database(url, recreate=True)
        urls[service] = url
    key = SigningKey.generate()
    stack = Stack(
        var_dir=var_dir,
        ports={s: free_port() for s in (*SERVICES, "portal")},
        smtp_port=free_port(),
        database_urls=urls,
        log_json=True,
        signing_key=key,
        extra_env=STACK_ENV,
        single_process=True,
    )
    stack.start(timeout=120)
    process = stack.processes["services"]
    try:
        stack.wait_consumers(
            issue_token(key, sub="e2e-ops", roles=["ops"], issuer="srs-access", audience="srs")
        )
        yield stack
    finally:
        stack.stop()
    # Ctrl-C (SIGTERM here) stops every service in order: lifespans ended, a clean exit.
    assert process.returncode == 0, f"the services exited with {process.returncode}"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright; skipped where it is not installed."""
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
