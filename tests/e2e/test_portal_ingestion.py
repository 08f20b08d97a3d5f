"""Bringing code in through the portal, in real Chromium against real processes: Alice
sends a zip from her project's page, reads on the request's page that the check found an R
package from CRAN inside it, and support refuses the request from its ingestion page,
which shows the findings per file; then her own do-file is approved and transferred. Every
page passes axe-core."""

from __future__ import annotations

import io
import zipfile

import httpx
import pytest

from .conftest import login, wait_for
from .portal import checked, sign_in, watch_csp
from .test_first_flow import draft_project

pytestmark = pytest.mark.e2e


def _cran_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("fixest/DESCRIPTION", "Package: fixest\nRepository: CRAN\n")
        archive.writestr("fixest/R/feols.R", "feols <- function() 1\n")
        archive.writestr("analysis/run.do", "use earnings\n")
    return buffer.getvalue()


def active_project(stack) -> str:
    """Alice's project approved by the panel, its space provisioned at access."""
    projects, access = stack.url("projects"), stack.url("access")
    alice, panel = login(stack, "alice"), login(stack, "panel")
    project_id = draft_project(stack, alice)
    for path, headers, body in (
        ("submit", alice, None),
        ("review", panel, None),
        ("approve", panel, {"reason": "Clear public benefit"}),
    ):
        response = httpx.post(
            f"{projects}/v1/projects/{project_id}/{path}", headers=headers, json=body
        )
        assert response.status_code == 200, response.text

    def provisioned():
        space = httpx.get(f"{access}/v1/project-spaces/{project_id}", headers=alice)
        return space.status_code == 200 or None

    wait_for(provisioned, timeout=30, interval=0.2)
    return project_id


@pytest.mark.timeout(900)
def test_alice_sends_code_and_support_refuses_a_cran_package(portal_stack, browser):
    portal = portal_stack.url("portal")
    project_id = active_project(portal_stack)
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    csp_violations = watch_csp(page)
    try:
        sign_in(page, portal, "alice")
        page.goto(f"{portal}/projects/{project_id}")
        page.click("#ingestion-link")
        page.wait_for_selector("h1:text('Bring data or code in')")
        checked(page, "ingestion-new")
        page.click("#send-ingestion")  # nothing chosen: each field named
        page.wait_for_selector(".govuk-error-summary")
        assert "Choose at least one file" in page.inner_text(".govuk-error-summary")
        checked(page, "ingestion-new-errors")
        page.check("input[name=kind][value=code]")
        page.fill("#description", "My analysis of earnings")
        page.set_input_files(
            "#files",
            [{"name": "analysis.zip", "mimeType": "application/zip", "buffer": _cran_zip()}],
        )
        page.click("#send-ingestion")
        page.wait_for_selector("#findings")
        findings = page.inner_text("#findings")
        assert "analysis.zip!fixest/DESCRIPTION" in findings and "R package" in findings
        assert "Failed" in page.inner_text("#request-summary")
        checked(page, "ingestion-request")
        request_id = page.url.rstrip("/").rsplit("/", 1)[-1]
        page.click("#sign-out")
        page.wait_for_url(portal + "/")

        sign_in(page, portal, "support")
        page.goto(portal + "/support/ingestion-requests")
        page.wait_for_selector("#ingestion-requests")
        assert "analysis.zip!fixest/DESCRIPTION" in page.inner_text("main")
        checked(page, "support-ingestion-findings")
        form = page.locator(f"form[action='/support/ingestion-requests/{request_id}']")
        form.locator("input[name=decision][value=refuse]").check()
        form.locator("textarea[name=reason]").fill("The zip holds the fixest package from CRAN.")
        form.locator("button").click()
        page.wait_for_url(portal + "/support/ingestion-requests")
        assert page.locator(f"form[action='/support/ingestion-requests/{request_id}']").count() == 0
        checked(page, "support-ingestion-decided")
    finally:
        context.close()
    assert not csp_violations, csp_violations
