"""The operations console in a real browser (Debian's Chromium driven by Playwright)
against the whole platform: every service a process, the real broker. Operators sign in
through the access service's OpenID Connect sign-in page; no token is pasted."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import uuid

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import create_async_engine

from srs_common.events.envelope import encode_data, to_headers
from srs_common.testing import run_sync
from srs_ops.models import ConsoleSession

from .conftest import login, wait_for
from .portal import serious_violations, watch_csp
from .test_first_flow import draft_project

pytestmark = pytest.mark.e2e

# Set to a path (e.g. docs/images/ops-console.png) to save a screenshot of the console.
SCREENSHOT = os.environ.get("SRS_OPS_SCREENSHOT")


def sign_in(page, stack, username: str) -> None:
    """From the console's sign-in page through the provider's, back to the console."""
    page.goto(f"{stack.url('ops')}/console")
    page.click("#sign-in")
    page.wait_for_selector("#username")
    assert page.url.startswith(stack.url("access") + "/oidc/authorize")
    page.fill("#username", username)
    page.fill("#password", f"{username}-demo")
    page.click("#sign-in")
    page.wait_for_url(f"{stack.url('ops')}/console")


def no_serious_violations(page, where: str) -> None:
    found = serious_violations(page)
    assert not found, f"{where}:\n" + "\n".join(found)


@pytest.fixture
def operator(browser, stack):
    """A fresh browser context, signing in is up to the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def console(operator, stack):
    """The console signed in as support (who may also replay), its live stream connected."""
    sign_in(operator, stack, "support")
    operator.wait_for_selector("#live-status:text('live')")
    return operator


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

    # The dead letter's payload, formatted: pretty-printed over several lines, folded in
    # the list until opened.
    poison.locator("details.dead-payload summary").click()
    listed = poison.locator("details.dead-payload pre.json")
    listed.wait_for()
    assert '"members": [' in listed.inner_text() and listed.inner_text().count("\n") > 10

    poison.locator("button.inspect").click()
    page.wait_for_selector("#detail-error:has-text('handler-failed')")
    detail = page.locator("#detail-payload pre.json").inner_text()
    assert json.loads(detail)["project_id"] == project_id
    assert '\n  "title": "Hand-made approval"' in detail
    no_serious_violations(page, "the dead letters tab")
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


def test_the_console_runs_under_its_content_security_policy(stack, operator):
    """The console's script and styles are files the policy allows (no inline script):
    the browser reports no violation while the operator signs in and goes live; a script
    the page does not carry is refused."""
    from playwright.sync_api import Error as PlaywrightError

    page = operator
    violations = watch_csp(page)
    sign_in(page, stack, "ops")
    response = page.reload()
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("style-src")[0]
    page.wait_for_selector("#live-status:text('live')")
    assert violations == []
    with pytest.raises(PlaywrightError, match="Content Security Policy"):
        page.add_script_tag(content="window.injected = true")
    assert page.evaluate("window.injected === undefined")


def ops_events(stack, subject: str) -> list[dict]:
    response = httpx.get(
        f"{stack.url('ops')}/v1/events", params={"subject": subject}, headers=login(stack, "ops")
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_an_operator_signs_in_and_the_live_tab_opens_with_recent_events(stack, operator):
    page = operator
    project_id = new_submitted_project(stack)
    wait_for(lambda: ops_events(stack, project_id), timeout=20)

    page.goto(f"{stack.url('ops')}/console")
    assert page.locator("textarea").count() == 0  # nothing to paste a token into
    page.wait_for_selector("#sign-in:text('Sign in')")
    no_serious_violations(page, "the console's sign-in page")
    sign_in(page, stack, "ops")
    assert page.inner_text("#who") == "Jo Ellis (ops)"  # by name, then the role

    # Already there on opening, with no new event needed.
    row = page.locator(f"#live-rows tr[data-subject='{project_id}']").first
    row.wait_for(timeout=10_000)
    payload = row.locator("details.payload")
    assert payload.get_attribute("open") is None  # folded until asked for
    payload.locator("summary").click()
    text = payload.locator("pre.json").inner_text()
    assert f'"project_id": "{project_id}"' in text
    assert text.startswith("{\n  ") and json.loads(text)["project_id"] == project_id
    page.wait_for_selector("#live-status:text('live')")
    no_serious_violations(page, "the live tab")
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT, full_page=False)


def test_lag_shows_each_group_with_its_threshold_state_and_refreshes_itself(stack, operator):
    page = operator
    sign_in(page, stack, "ops")
    page.click("nav button[data-tab='lag']")
    access = page.locator("#group-rows tr[data-group='srs-access']")
    access.wait_for(timeout=15_000)
    state = access.locator(".state")
    assert state.inner_text() in {"ok", "warning", "critical"}
    assert state.inner_text() in (state.get_attribute("class") or "")
    assert "warning from 100, critical from 1000" in page.inner_text("#lag-thresholds")
    first = page.inner_text("#lag-updated")
    assert "refreshes every 5 s" in first
    wait_for(lambda: page.inner_text("#lag-updated") != first, timeout=15, interval=0.5)
    no_serious_violations(page, "the lag tab")


async def _expire_sessions_of(stack, username: str) -> list[str]:
    """What the passing of time and a sign-out elsewhere do to an operator's console
    sessions: the access token is past its expiry, and the refresh token is revoked at
    the provider. Returns the ID tokens, for the provider's end-session endpoint."""
    engine = create_async_engine(stack.database_url("ops"))
    table = ConsoleSession.__table__
    id_tokens = []
    try:
        async with engine.begin() as connection:
            for row in (await connection.execute(select(table))).all():
                data = dict(row.data)
                if (data.get("user") or {}).get("sub") != username:
                    continue
                id_tokens.append(data["tokens"]["id_token"])
                data["tokens"] = {**data["tokens"], "expires_at": 0}
                await connection.execute(
                    update(table).where(table.c.id_hash == row.id_hash).values(data=data)
                )
    finally:
        await engine.dispose()
    return id_tokens


def test_an_operator_whose_token_expires_is_asked_to_sign_in_again(stack, operator):
    page = operator
    sign_in(page, stack, "ops")
    page.wait_for_selector("#live-status:text('live')")
    id_tokens = run_sync(lambda: _expire_sessions_of(stack, "ops"))
    assert id_tokens
    for id_token in id_tokens:  # signed out elsewhere: the provider revokes the refresh token
        ended = httpx.get(f"{stack.url('access')}/oidc/logout", params={"id_token_hint": id_token})
        assert ended.status_code == 200, ended.text

    page.click("nav button[data-tab='search']")
    page.click("#search-go")
    alert = page.locator("#alert")
    alert.wait_for(state="visible", timeout=10_000)
    assert "session has ended" in alert.inner_text()
    assert page.locator("#sign-in-again").is_visible()
    # Never an empty table: the table says why it has nothing.
    assert re.search("sign in again", page.inner_text("#search-rows"), re.IGNORECASE)
    page.click("nav button[data-tab='dead']")
    page.wait_for_selector("#dead-rows td.error")
    assert re.search("sign in again", page.inner_text("#dead-rows"), re.IGNORECASE)
    no_serious_violations(page, "the console asking to sign in again")

    page.click("#sign-in-again")
    page.wait_for_selector("#username")
    page.fill("#username", "ops")
    page.fill("#password", "ops-demo")
    page.click("#sign-in")
    page.wait_for_url(f"{stack.url('ops')}/console")
    page.wait_for_selector("#live-status:text('live')")
    assert page.locator("#alert").is_hidden()


def test_someone_without_role_ops_or_support_sees_a_refusal(stack, operator):
    page = operator
    page.goto(f"{stack.url('ops')}/console")
    page.click("#sign-in")
    page.wait_for_selector("#username")
    page.fill("#username", "alice")
    page.fill("#password", "alice-demo")
    page.click("#sign-in")
    page.wait_for_selector("#message-title")
    assert page.inner_text("#message-title") == "You cannot use the operations console"
    assert page.locator("#tabs").count() == 0
    no_serious_violations(page, "the console's refusal page")
    page.goto(f"{stack.url('ops')}/console")
    assert page.locator("#sign-in").is_visible()  # no session was kept
