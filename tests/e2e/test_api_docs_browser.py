"""Swagger UI and ReDoc render in a real browser with every other origin unreachable (a
secure setting offline), under the pages' Content-Security-Policy, at the root and under the
service's own prefix (the one API origin's route to it)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's Chromium is not installed at /usr/bin/chromium "
            "(apt-get install -y chromium); the browser tests need it"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def booking(tmp_path_factory) -> Iterator[str]:
    """The booking service's HTTP API alone (no relay, no consumers), on a free port."""
    from srs_booking.app import create_app
    from srs_booking.settings import BookingSettings

    database = tmp_path_factory.mktemp("docs") / "booking.db"
    settings = BookingSettings(
        database_url=f"sqlite+aiosqlite:///{database}", run_relay=False, run_consumers=False
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the booking service did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _open(browser, url: str, ready: str) -> tuple[list[str], list[str]]:
    """Open ``url`` with every other origin refused; wait for ``ready``. Returns the
    Content-Security-Policy violations and the requests to other origins."""
    context = browser.new_context()
    page = context.new_page()
    origin = urlsplit(url).netloc
    foreign: list[str] = []
    violations: list[str] = []

    def route(request_route, request) -> None:
        if (
            urlsplit(request.url).scheme in {"data", "blob"}
            or urlsplit(request.url).netloc == origin
        ):
            request_route.continue_()
        else:
            foreign.append(request.url)
            request_route.abort()

    page.route("**/*", route)
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        response = page.goto(url)
        assert response.status == 200
        assert "'self'" in response.headers["content-security-policy"]
        page.wait_for_selector(ready, timeout=20_000)
    finally:
        context.close()
    return violations, foreign


@pytest.mark.parametrize("base", ["", "/booking"])
def test_swagger_ui_renders_the_operations_offline(browser, booking, base):
    violations, foreign = _open(browser, f"{booking}{base}/docs", ".opblock-summary-path")
    assert violations == []
    assert foreign == []


@pytest.mark.parametrize("base", ["", "/booking"])
def test_redoc_renders_the_operations_offline(browser, booking, base):
    violations, foreign = _open(browser, f"{booking}{base}/redoc", "text=SRS booking")
    # ReDoc's bundle draws its "powered by" logo from its vendor's CDN: the policy refuses
    # that one image (as it should); nothing the page needs is refused.
    assert [v for v in violations if "cdn.redoc.ly" not in v] == []
    assert all("img-src" in v for v in violations), violations
    assert foreign == []
