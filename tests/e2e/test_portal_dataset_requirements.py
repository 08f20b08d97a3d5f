"""A dataset's requirement end to end, in real Chromium against real processes: the
access seed gives the ONS Longitudinal Study its supplementary form, which reaches the
projects service over the bus and becomes a task on an application asking for the LS;
the lead completes the form on the project's page, the data owner (ONS) accepts it in
their workspace, and only then may the panel approve. Every page passes axe-core."""

from __future__ import annotations

import uuid

import httpx
import pytest

from .conftest import login, wait_for
from .portal import checked, sign_in, watch_csp
from .test_portal_staff import PASSWORD, new_researcher

pytestmark = pytest.mark.e2e


def ls_application(stack, headers: dict[str, str], title: str) -> tuple[str, str]:
    """A submitted application for the LS, once projects has heard of the accreditation
    and of the LS's supplementary form; its id and the form's requirement id."""
    projects = stack.url("projects")
    application = {
        "title": title,
        "legal_gateway": "DEA",
        "dataset_ids": ["ds-ons-ls"],
        "lay_summary": "How social mobility changed across four censuses.",
        "public_benefit": "Evidence for policy on regional inequality.",
        "expected_start_date": "2027-01-04",
        "expected_end_date": "2027-12-31",
        "ethics_confirmed": True,
        "data_source_acknowledged": True,
    }

    def drafted():
        response = httpx.post(f"{projects}/v1/projects", headers=headers, json=application)
        if response.status_code == 422 and response.json().get("rule") == "accreditation_required":
            return None
        assert response.status_code == 201, response.text
        return response.json()["id"]

    project_id, _ = wait_for(drafted, timeout=30, interval=0.2)

    def required():
        project = httpx.get(f"{projects}/v1/projects/{project_id}", headers=headers).json()
        return project["dataset_requirements"] or None

    [requirement], _ = wait_for(required, timeout=30, interval=0.2)
    assert requirement["name"] == "LS supplementary form" and requirement["accepted_by"] == "ONS"
    done = httpx.post(f"{projects}/v1/projects/{project_id}/submit", headers=headers)
    assert done.status_code == 200, done.text
    return str(project_id), str(requirement["id"])


@pytest.mark.timeout(600)
def test_the_lead_completes_the_ls_form_and_the_data_owner_accepts_it(portal_stack, browser):
    portal, projects = portal_stack.url("portal"), portal_stack.url("projects")
    email, headers, _ = new_researcher(portal_stack, "Lena Longitudinal")
    title = f"Social mobility across four censuses {uuid.uuid4().hex[:6]}"
    project_id, requirement_id = ls_application(portal_stack, headers, title)
    panel = login(portal_stack, "panel")
    httpx.post(f"{projects}/v1/projects/{project_id}/review", headers=panel).raise_for_status()
    early = httpx.post(
        f"{projects}/v1/projects/{project_id}/approve",
        headers=panel,
        json={"reason": "Clear public benefit."},
    )
    assert early.status_code == 422 and early.json()["rule"] == "dataset_requirement_outstanding"

    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    csp_violations = watch_csp(page)
    try:
        sign_in(page, portal, email, PASSWORD)
        page.goto(f"{portal}/projects/{project_id}")
        page.wait_for_selector("#requirements")
        assert "To complete" in page.inner_text(f"#requirement-{requirement_id}")
        checked(page, "project-ls-form")
        # Sent with nothing answered: each question is named.
        page.click(f"#send-{requirement_id}")
        page.wait_for_selector(".govuk-error-summary")
        assert "An answer is required" in page.inner_text(".govuk-error-summary")
        checked(page, "project-ls-form-errors")
        page.check(f"#req-{requirement_id}-sector")  # the first choice: academic
        page.check(f"input[name='req-{requirement_id}-uk_based'][value=yes]")
        page.fill(f"#req-{requirement_id}-census_years", "1971, 1981, 1991, 2001 and 2011")
        page.fill(f"#req-{requirement_id}-variables", "Occupation and tenure, for mobility.")
        page.click(f"#send-{requirement_id}")
        page.wait_for_selector(f"#answers-{requirement_id}")
        assert "Sent to the dataset's team" in page.inner_text(f"#requirement-{requirement_id}")
        page.click("#sign-out")
        page.wait_for_url(portal + "/")

        sign_in(page, portal, "owner")
        page.goto(portal + "/data-owner")
        page.wait_for_selector(f"#form-{requirement_id}")
        assert title in page.inner_text(f"#form-{requirement_id}")
        assert "Occupation and tenure" in page.inner_text(f"#form-{requirement_id}")
        assert "Lena Longitudinal" in page.inner_text(f"#form-{requirement_id}")
        checked(page, "owner-dataset-forms")
        form = page.locator(f"form[action='/data-owner/dataset-requirements/{requirement_id}']")
        form.locator("input[name=form_decision][value=accept]").check()
        form.locator("button").click()
        page.wait_for_url(portal + "/data-owner")
        assert page.locator(f"#form-{requirement_id}").count() == 0
        checked(page, "owner-dataset-forms-decided")
    finally:
        context.close()
    assert not csp_violations, csp_violations
    approved = httpx.post(
        f"{projects}/v1/projects/{project_id}/approve",
        headers=panel,
        json={"reason": "Clear public benefit."},
    )
    assert approved.status_code == 200, approved.text
