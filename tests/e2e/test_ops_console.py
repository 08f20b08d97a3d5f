"""The operations console in a real browser (Debian's Chromium driven by Playwright)
against the whole platform: every service a process, the real broker."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from srs_common.events.envelope import encode_data, to_headers
from srs_common.testing import run_sync

from .conftest import login, wait_for
from .test_first_flow import draft_project

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
# Set to a path (e.g. docs/images/ops-console.png) to save a screenshot of the console.
SCREENSHOT = os.environ.get("SRS_OPS_SCREENSHOT")


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


@pytest.fixture
def console(browser, stack):
    """A console page signed in with a support token, its live stream connected."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    token = login(stack, "support")["Authorization"].removeprefix("Bearer ")
    page.goto(f"{stack.url('ops')}/console")
    page.fill("#token", token)
    page.click("#sign-in")
    page.wait_for_selector("#live-status:text('live')")
    yield page
    context.close()


def new_submitted_project(stack) -> str:
    """A project drafted by Alice (as the first-flow journey does), submitted and under
    panel review: ready for a decision."""
    projects, alice, panel = stack.url("projects"), login(stack, "alice"), login(stack, "panel")
    project_id = draft_project(stack, alice)
    assert (
        httpx.post(f"{projects}/v1/projects/{project_id}/submit", headers=alice).status_code == 200
    )
    assert (
        httpx.post(f"{projects}/v1/projects/{project_id}/review", headers=panel).status_code == 200
    )
    return project_id


def approve(stack, project_id: str, correlation_id: str) -> None:
    response = httpx.post(
        f"{stack.url('projects')}/v1/projects/{project_id}/approve",
        headers={**login(stack, "panel"), "X-Correlation-ID": correlation_id},
        json={"reason": "Clear public benefit"},
    )
    assert response.status_code == 200, response.text


def project_active(stack, project_id: str) -> bool:
    body = httpx.get(
        f"{stack.url('projects')}/v1/projects/{project_id}", headers=login(stack, "alice")
    ).json()
    return body["status"] == "active"


def test_an_approved_project_appears_live_and_its_saga_completes(stack, console):
    page = console
    project_id = new_submitted_project(stack)
    correlation_id = f"ops-e2e-{project_id}"
    approve(stack, project_id, correlation_id)

    approved_row = page.locator(
        f"#live-rows tr[data-subject='{project_id}'][data-type='srs.project.approved.v1']"
    )
    approved_row.wait_for(timeout=15_000)
    page.locator(
        f"#live-rows tr[data-subject='{project_id}'][data-type='srs.project_space.provisioned.v1']"
    ).wait_for(timeout=15_000)

    approved_row.locator(".saga-link").click()

    # The saga page refreshes on demand, as an operator would.
    def saga_complete() -> bool:
        page.click("#saga-go")
        page.wait_for_selector("#saga-rows tr", timeout=5_000)
        return page.locator("#saga-state .complete").count() == 1

    wait_for(saga_complete, timeout=20, interval=0.3)
    steps = page.locator("#saga-rows tr").evaluate_all("rows => rows.map(r => r.dataset.type)")
    # The saga's steps in order (other events of the same request, such as accounts
    # enabled, may sit between them).
    saga = [
        "srs.project.approved.v1",
        "srs.project_space.provisioned.v1",
        "srs.project.activated.v1",
    ]
    assert [t for t in steps if t in saga] == saga, steps
    provisioned = steps.index("srs.project_space.provisioned.v1")
    assert (
        page.locator("#saga-rows tr")
        .nth(provisioned)
        .locator("td")
        .nth(4)
        .inner_text()
        .endswith(" ms")
    )
    assert project_active(stack, project_id)


def publish_poison(stack, project_id: str) -> None:
    """A project approval the contract accepts but the access service cannot apply: the
    same researcher listed twice and an approval time without a zone (the platform stores
    UTC only). Access retries, dead-letters it, and holds the project's later events."""
    headers = to_headers(
        event_id=str(uuid.uuid4()),
        source="/srs/projects",
        event_type="srs.project.approved.v1",
        subject=project_id,
        time=dt.datetime.now(dt.UTC),
        correlation_id=f"poison-{project_id}",
    )
    payload = {
        "project_id": project_id,
        "title": "Hand-made approval",
        "organisation_id": "org-ntu",
        "legal_gateway": "DEA",
        "dataset_ids": ["ds-csew-2019"],
        "expected_end_date": "2027-06-30",
        "members": [
            {"researcher_id": "res-alice", "role": "lead"},
            {"researcher_id": "res-alice", "role": "researcher"},
        ],
        "approved_at": "2026-11-25T10:00:00",
    }

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=stack.broker.bootstrap, acks="all")
        await producer.start()
        try:
            await producer.send_and_wait(
                "srs.projects", key=project_id.encode(), value=encode_data(payload), headers=headers
            )
        finally:
            await producer.stop()

    run_sync(send)  # Playwright's sync API already runs a loop in this thread


def test_a_poisoned_event_is_dead_lettered_and_a_replay_from_the_page_delivers(stack, console):
    page = console
    project_id = new_submitted_project(stack)
    publish_poison(stack, project_id)
    page.click("nav button[data-tab='dead']")
    poison = page.locator(
        f"#dead-rows tr[data-consumer='access'][data-subject='{project_id}']"
        "[data-reason='handler-failed']"
    )

    def generation() -> str:
        return page.eval_on_selector("#dead-rows", "e => e.dataset.generation || '0'")

    def shown(locator) -> bool:
        before = generation()
        page.click("#dead-refresh")
        # Polled from here: the page's policy forbids eval, which wait_for_function needs.
        wait_for(lambda: generation() != before, timeout=10, interval=0.05)
        return locator.count() == 1

    wait_for(lambda: shown(poison), timeout=20, interval=0.3)

    # The real approval now waits behind the poison (quarantine), so nothing is provisioned.
    approve(stack, project_id, f"ops-e2e-{project_id}")
    parked = page.locator(
        f"#dead-rows tr[data-consumer='access'][data-subject='{project_id}']"
        "[data-reason='quarantined']"
    )
    wait_for(lambda: shown(parked), timeout=20, interval=0.3)
    assert not project_active(stack, project_id)

    poison.locator("button.inspect").click()
    page.wait_for_selector("#detail-error:has-text('handler-failed')")
    page.fill("#action-reason", "malformed approval published by hand; the real one follows")
    page.click("#discard")
    page.wait_for_selector("#action-result:has-text('discarded by support')")

    parked.locator("button.inspect").click()
    page.wait_for_selector("#detail-error:has-text('quarantined')")
    page.fill("#action-reason", "the poison ahead of it was discarded")
    page.click("#replay")
    page.wait_for_selector("#action-result:has-text('replayed by support')")

    wait_for(lambda: project_active(stack, project_id), timeout=20)
    page.click("#dead-refresh")
    page.wait_for_selector(
        f"#dead-rows tr[data-consumer='access'][data-subject='{project_id}']"
        "[data-reason='quarantined'] .badge.replayed"
    )
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT, full_page=False)


def test_the_console_runs_under_its_content_security_policy(stack, browser):
    """The console's own inline script and styles are allowed by the policy it is served
    with (srs_common.headers): the browser reports no violation while it signs in and goes
    live; a script the page does not carry is refused."""
    from playwright.sync_api import Error as PlaywrightError

    context = browser.new_context()
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        response = page.goto(f"{stack.url('ops')}/console")
        assert "script-src" in response.headers["content-security-policy"]
        page.fill("#token", login(stack, "support")["Authorization"].removeprefix("Bearer "))
        page.click("#sign-in")
        page.wait_for_selector("#live-status:text('live')")
        assert violations == []
        with pytest.raises(PlaywrightError, match="Content Security Policy"):
            page.add_script_tag(content="window.injected = true")
        assert page.evaluate("window.injected === undefined")
    finally:
        context.close()
