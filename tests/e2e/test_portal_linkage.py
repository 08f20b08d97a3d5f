"""Linkage in real Chromium against real processes: support works a project's IDBR
matching task to completion and its lead sees the outcome on the project page; a
researcher requests a new linked dataset, support assesses the four factors and agrees
it, and the researcher follows it. Every page passes axe-core (no serious or critical
violation) and no Content-Security-Policy violation."""

from __future__ import annotations

import uuid

import httpx
import pytest

from .conftest import login, wait_for
from .portal import checked, sign_in, watch_csp

pytestmark = pytest.mark.e2e


def approved_crn_project(stack) -> tuple[str, str]:
    """Alice's project with CRN matching, approved by the panel over the API."""
    projects = stack.url("projects")
    alice, panel = login(stack, "alice"), login(stack, "panel")
    title = f"Business investment and productivity {uuid.uuid4().hex[:6]}"
    application = {
        "title": title,
        "legal_gateway": "DEA",
        "dataset_ids": ["ds-ashe-2021"],
        "lay_summary": "How investment by businesses changes their productivity.",
        "public_benefit": "Evidence for industrial policy.",
        "expected_start_date": "2027-01-04",
        "expected_end_date": "2027-12-31",
        "ethics_confirmed": True,
        "data_source_acknowledged": True,
        "linkage": {"idbr": {"method": "crn", "crns": ["01234567", "SC123456", "NI012345"]}},
    }

    def drafted():
        response = httpx.post(f"{projects}/v1/projects", headers=alice, json=application)
        if response.status_code in (422, 503) and response.json().get("rule") in (
            "accreditation_required",
            None,
        ):
            return None
        assert response.status_code == 201, response.text
        return response.json()["id"]

    project_id, _ = wait_for(drafted, timeout=30, interval=0.2)
    for path, who, body in (
        ("submit", alice, None),
        ("review", panel, None),
        ("approve", panel, {"reason": "Clear public benefit"}),
    ):
        response = httpx.post(f"{projects}/v1/projects/{project_id}/{path}", headers=who, json=body)
        assert response.status_code == 200, response.text
    return project_id, title


def test_support_completes_the_idbr_matching_and_the_lead_sees_it(portal_stack, browser):
    portal = portal_stack.url("portal")
    project_id, title = approved_crn_project(portal_stack)
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    csp_violations = watch_csp(page)
    try:
        sign_in(page, portal, "support")
        page.goto(portal + "/support")
        page.click("#linkage-link")
        page.wait_for_selector("#linkage-tasks-open")
        assert title in page.inner_text("#linkage-tasks-open")
        checked(page, "support-linkage-pending")
        page.click(f"form[action$='/start'] button:has-text('{title}')")
        page.wait_for_selector("#matched")
        page.click("form[action$='/complete'] button")
        page.wait_for_selector(".govuk-error-summary")
        assert "how many businesses matched" in page.inner_text(".govuk-error-summary")
        checked(page, "support-linkage-errors")
        page.fill("#matched", "3")
        page.fill("#unmatched", "0")
        page.fill("#note", "All three numbers matched.")
        page.click("form[action$='/complete'] button")
        page.wait_for_selector("#linkage-tasks-done")
        assert "3 matched, 0 not matched" in page.inner_text("#linkage-tasks-done")
        page.click("#sign-out")
        page.wait_for_url(portal + "/")

        sign_in(page, portal, "alice")
        page.goto(f"{portal}/projects/{project_id}")
        page.wait_for_selector("#linkage-task")
        assert "Completed" in page.inner_text("#linkage-state")
        assert "3 businesses matched, 0 not matched" in page.inner_text("#linkage-outcome")

        def mapped():
            page.reload()
            return page.locator("#linked-extracts").count() == 1

        wait_for(mapped, timeout=15, interval=0.5)
        assert "IDBR linked extract (CRN matching)" in page.inner_text("#linked-extracts")
        checked(page, "project-linkage")
    finally:
        context.close()
    assert not csp_violations, csp_violations


def test_a_linked_dataset_is_requested_assessed_and_agreed(portal_stack, browser):
    portal = portal_stack.url("portal")
    title = f"CSEW linked to ASHE {uuid.uuid4().hex[:6]}"
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    csp_violations = watch_csp(page)
    try:
        sign_in(page, portal, "alice")
        page.goto(portal + "/linkage/requests")
        page.wait_for_selector("#linkage-requests")
        checked(page, "linkage-requests")
        page.click("#linkage-request-new")
        page.wait_for_selector("#title")
        page.fill("#title", title)
        page.check("input[name=datasets][value=ds-csew-2019]")
        page.click("#linkage-request-send")
        page.wait_for_selector(".govuk-error-summary")
        assert "at least two datasets" in page.inner_text(".govuk-error-summary")
        checked(page, "linkage-request-errors")
        page.check("input[name=datasets][value=ds-ashe-2021]")
        page.fill("#purpose", "Victimisation and earnings")
        page.fill("#wider_benefit", "Several crime projects need earnings context.")

        def sent():
            page.click("#linkage-request-send")
            page.wait_for_load_state()
            return page.locator("#linkage-request-status").count() == 1

        wait_for(sent, timeout=30, interval=1)  # projects learns the catalogue from events
        assert "Waiting for assessment" in page.inner_text("#linkage-request-status")
        checked(page, "linkage-request")
        request_url = page.url
        page.click("#sign-out")
        page.wait_for_url(portal + "/")

        sign_in(page, portal, "support")
        page.goto(portal + "/support/linkage")
        page.wait_for_selector(f"h3:has-text('{title}')")
        form = page.locator(f"form[action$='/assessment']:has(button:has-text('{title}'))")
        form.locator("input[name=user_need][value=strong]").check()
        form.locator("input[name=owner-0][value=yes]").check()
        form.locator("input[name=feasibility][value=straightforward]").check()
        form.locator("input[name=resource][value=yes]").check()
        form.locator("button").click()
        page.wait_for_selector(f"h3:has-text('{title}')")
        assert "Being assessed" in page.inner_text(f"h3:has-text('{title}')")
        checked(page, "support-linkage")
        decision = page.locator(f"form[action$='/decision']:has(button:has-text('{title}'))")
        decision.locator("input[name=outcome][value=agreed]").check()
        decision.locator("textarea[name=reasons]").fill("Strong need; ONS supports it.")
        decision.locator("input[name=dataset_id]").fill(f"ds-linked-{uuid.uuid4().hex[:8]}")
        decision.locator("button").click()
        page.wait_for_selector("#linked-dataset-requests-decided")
        assert title in page.inner_text("#linked-dataset-requests-decided")
        page.click("#sign-out")
        page.wait_for_url(portal + "/")

        sign_in(page, portal, "alice")
        page.goto(request_url)
        page.wait_for_selector("#linkage-request-status")
        assert "Agreed" in page.inner_text("#linkage-request-status")
        assert "Strong need" in page.inner_text("#linkage-request-reasons")
        checked(page, "linkage-request-agreed")
    finally:
        context.close()
    assert not csp_violations, csp_violations
