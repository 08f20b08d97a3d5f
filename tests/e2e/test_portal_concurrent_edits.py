"""Two members of support editing the same dataset in real Chromium: the page carries the
version it was drawn from; a save from a page someone else has since changed is refused
in words, and the page shows the current values. Passes axe-core."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest

from .conftest import login
from .portal import checked, sign_in, watch_csp

pytestmark = pytest.mark.e2e


@pytest.mark.timeout(600)
def test_a_support_edit_from_a_stale_page_says_someone_else_changed_it(portal_stack, browser):
    portal, access = portal_stack.url("portal"), portal_stack.url("access")
    support = login(portal_stack, "support")
    dataset_id = f"ds-etag-{uuid.uuid4().hex[:6]}"
    fields = {
        "title": f"Etag survey {dataset_id[-6:]}",
        "owner": "ONS",
        "access_level": "safe_setting",
        "disclosure_threshold": 10,
        "operational_id_columns": [],
    }
    created = httpx.post(
        f"{access}/v1/datasets", headers=support, json={"id": dataset_id, **fields}
    )
    assert created.status_code == 201, created.text
    form = f"form[action='/support/datasets/{dataset_id}/settings']"
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    csp_violations = watch_csp(page)
    try:
        sign_in(page, portal, "support")
        page.goto(portal + "/support/catalogue")
        page.click("#dataset-settings summary")
        assert page.input_value(f"{form} input[name=etag]")
        # Meanwhile a colleague raises the threshold to 25 (over the API).
        changed = httpx.put(
            f"{access}/v1/datasets/{dataset_id}",
            headers=support,
            json={**fields, "disclosure_threshold": 25},
        )
        assert changed.status_code == 200, changed.text
        # This page still shows 10; its person sets 15 and saves.
        assert page.input_value(f"{form} input[name=threshold]") == "10"
        page.fill(f"{form} input[name=threshold]", "15")
        page.click(f"#save-{dataset_id}")
        page.wait_for_selector(".govuk-error-summary")
        summary = page.inner_text(".govuk-error-summary")
        assert "Someone else changed this while you were looking at it" in summary
        assert "your change was not saved" in summary
        # The form shows what is stored now, and the colleague's change stands.
        assert page.input_value(f"{form} input[name=threshold]") == "25"
        stored = httpx.get(f"{access}/v1/datasets/{dataset_id}", headers=support).json()
        assert stored["disclosure_threshold"] == 25
        checked(page, "support-catalogue-changed-meanwhile")
        # Saved again from the page as it now stands, the change goes through.
        page.fill(f"{form} input[name=threshold]", "15")
        page.click(f"#save-{dataset_id}")
        page.wait_for_url(portal + "/support/catalogue")
        stored = httpx.get(f"{access}/v1/datasets/{dataset_id}", headers=support).json()
        assert stored["disclosure_threshold"] == 15
    finally:
        context.close()
    assert not csp_violations, csp_violations


@pytest.mark.timeout(600)
def test_a_closure_announced_from_a_stale_sites_page_is_refused(portal_stack, browser):
    portal, booking = portal_stack.url("portal"), portal_stack.url("booking")
    support = login(portal_stack, "support")
    # A Wednesday far enough ahead that no other test books it.
    day = dt.date.today() + dt.timedelta(days=200)
    day += dt.timedelta(days=(2 - day.weekday()) % 7)
    marker = uuid.uuid4().hex[:6]
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    csp_violations = watch_csp(page)
    try:
        sign_in(page, portal, "support")
        page.goto(portal + "/support/sites")
        # Meanwhile a colleague announces a closure of the same site (over the API).
        theirs = httpx.post(
            f"{booking}/v1/sites/safepod-bristol/closures",
            headers=support,
            json={
                "starts_at": f"{day.isoformat()}T09:00:00Z",
                "ends_at": f"{day.isoformat()}T10:00:00Z",
                "reason": f"Fire drill {marker}",
            },
        )
        assert theirs.status_code == 201, theirs.text
        page.select_option("#site_id", "safepod-bristol")
        page.check("input[name=kind][value=closure]")
        page.fill("#day-day", str(day.day))
        page.fill("#day-month", str(day.month))
        page.fill("#day-year", str(day.year))
        page.fill("#from", "13:00")
        page.fill("#to", "14:00")
        page.fill("#reason", f"Cleaning {marker}")
        page.click("#announce")
        page.wait_for_selector(".govuk-error-summary")
        assert "Someone else changed this" in page.inner_text(".govuk-error-summary")
        # The page now lists the colleague's closure; what was typed is still there.
        assert f"Fire drill {marker}" in page.inner_text("#closures-safepod-bristol")
        assert page.input_value("#reason") == f"Cleaning {marker}"
        checked(page, "support-sites-changed-meanwhile")
        page.click("#announce")
        page.wait_for_selector("text=Announced")
        closures = httpx.get(f"{booking}/v1/sites/safepod-bristol/closures", headers=support).json()
        assert {f"Fire drill {marker}", f"Cleaning {marker}"} <= {c["reason"] for c in closures}
    finally:
        context.close()
    assert not csp_violations, csp_violations


@pytest.mark.timeout(900)
def test_a_panel_decision_on_a_stale_project_page_is_refused(portal_stack, browser):
    from .test_portal_staff import new_researcher, submitted_project

    portal, projects = portal_stack.url("portal"), portal_stack.url("projects")
    _, headers, _ = new_researcher(portal_stack, "Quinn Researcher")
    project_id = submitted_project(portal_stack, headers, f"Lighting {uuid.uuid4().hex[:6]}")
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    csp_violations = watch_csp(page)
    try:
        sign_in(page, portal, "panel")
        page.goto(f"{portal}/panel/projects/{project_id}")
        page.click("#start-review")
        page.wait_for_selector("#record-decision")
        # Meanwhile another panel member withholds the priority asked for (over the API).
        withheld = httpx.post(
            f"{projects}/v1/projects/{project_id}/priority",
            headers=login(portal_stack, "panel"),
            json={"priority": False, "reason": "No deadline that needs it."},
        )
        assert withheld.status_code == 200, withheld.text
        page.check("input[name=priority][value=yes]")
        page.fill("#priority_reason", "Informs the winter crime prevention campaign.")
        page.click("#record-priority")
        page.wait_for_selector(".govuk-error-summary")
        assert "Someone else changed this" in page.inner_text(".govuk-error-summary")
        assert "No deadline that needs it." in page.inner_text("#decisions")
        project = httpx.get(f"{projects}/v1/projects/{project_id}", headers=headers).json()
        assert project["priority"] is False
        checked(page, "panel-project-changed-meanwhile")
    finally:
        context.close()
    assert not csp_violations, csp_violations
