"""The researcher's "Bring data or code in" pages: upload files for the project space, the
list, a request's page with the check's findings in words, withdrawal; who may not."""

from __future__ import annotations

import io
import zipfile

from .staff_world import as_user, csrf_of, researcher
from .test_portal_bookings import TITLE, active_project


def _cran_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("fixest/DESCRIPTION", "Package: fixest\nRepository: CRAN\n")
    return buffer.getvalue()


async def test_a_researcher_sends_files_reads_the_findings_and_withdraws(world, deliver):
    project_id = await active_project(world, deliver)
    await as_user(world, "alice")
    project_page = await world["portal"].get(f"/projects/{project_id}")
    assert f'href="/projects/{project_id}/ingestion"' in project_page.text
    page = await world["portal"].get(f"/projects/{project_id}/ingestion")
    assert page.status_code == 200 and "No data or code has been asked for yet." in page.text
    url = f"/projects/{project_id}/ingestion"
    missing = await world["portal"].post(
        url, data={"csrf_token": csrf_of(page), "kind": "code", "description": "My do-files"}
    )
    assert missing.status_code == 422 and "Choose at least one file to upload" in missing.text
    sent = await world["portal"].post(
        url,
        data={"csrf_token": csrf_of(page), "kind": "code", "description": "My own analysis"},
        files=[("files", ("analysis.zip", _cran_zip(), "application/zip"))],
    )
    assert sent.status_code == 303, sent.text
    request_page = await world["portal"].get(sent.headers["location"])
    assert "Failed: a file is a package from a public repository" in request_page.text
    assert "analysis.zip!fixest/DESCRIPTION" in request_page.text
    assert "R package" in request_page.text and "CRAN" in request_page.text
    assert TITLE in request_page.text
    listed = await world["portal"].get(url)
    assert "My own analysis" in listed.text and "Waiting for the SRS team" in listed.text
    withdraw_url = sent.headers["location"] + "/withdrawal"
    no_csrf = await world["portal"].post(withdraw_url, data={})
    assert no_csrf.status_code in (400, 403)
    done = await world["portal"].post(withdraw_url, data={"csrf_token": csrf_of(request_page)})
    assert done.status_code == 303
    request_page = await world["portal"].get(sent.headers["location"])
    assert "Withdrawn" in request_page.text and 'id="withdraw"' not in request_page.text


async def test_only_the_projects_researchers_see_its_requests(world, deliver):
    project_id = await active_project(world, deliver)
    asked = await world["access"].post(
        "/v1/ingestion-requests",
        headers=researcher(world),
        data={"project_id": project_id, "kind": "data", "description": "Extract of my survey"},
        files=[("files", ("survey.csv", b"id,x\n1,2\n", "text/csv"))],
    )
    request_id = asked.json()["id"]
    page = f"/projects/{project_id}/ingestion/{request_id}"
    secrets = ("Extract of my survey", "survey.csv")
    for username in ("panel", "checker", "support", "ops", "owner"):
        csrf = await as_user(world, username)
        for path in (page, f"/projects/{project_id}/ingestion"):
            refused = await world["portal"].get(path)
            assert refused.status_code == 403, (username, path)
            assert not any(secret in refused.text for secret in secrets)
        posted = await world["portal"].post(f"{page}/withdrawal", data={"csrf_token": csrf})
        assert posted.status_code == 403, username
    world["portal"].cookies.clear()
    visitor = await world["portal"].get(page)
    assert visitor.status_code == 303 and visitor.headers["location"].startswith("/sign-in")
    read = await world["access"].get(
        f"/v1/ingestion-requests/{request_id}", headers=researcher(world)
    )
    assert read.json()["status"] == "checked"
