"""Bringing data or code in: a project member's requests to the access service to bring
their own data or code into the project space (the files uploaded here), the list of the
project's requests, and a request's page with its status, the automatic check's findings
in words and the SRS team's decision; the researcher who asked may withdraw it until the
team decides. Every rule is the access service's."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from srs_common.errors import NotFound
from srs_portal.pages import problem_detail, render, signed_in_user
from srs_portal.platform import Platform
from srs_portal.profile import researcher
from srs_portal.security import require_csrf
from srs_portal.signin import access_token
from srs_portal.staff.support_ingestion import FINDING_KINDS

router = APIRouter()
KINDS = [
    ("data", "Data", "Data you hold and may bring in, such as a survey extract"),
    ("code", "Code", "Code you wrote yourself, such as Stata do-files or R scripts"),
]
STATUS_WORDS = {
    "submitted": ("Being checked", "blue"),
    "checked": ("Waiting for the SRS team", "blue"),
    "approved": ("Approved, to be transferred", "green"),
    "refused": ("Refused", "red"),
    "transferred": ("In the project space", "green"),
    "withdrawn": ("Withdrawn", "grey"),
}
# The access service's refusals of an upload (``rule``), in words.
RULES = {
    "too_many_files": "Upload at most 20 files at once; put more into a zip file",
    "duplicate_file_name": "Two of the files have the same name; rename one",
    "file_name": "A file's name cannot be used; rename it with letters and numbers",
    "space_archived": "The project's space is archived: nothing more can come in",
}
MAX_UPLOAD_BYTES = 128 * 1024 * 1024


async def _project(request: Request, token: str, project_id: str) -> dict[str, Any]:
    platform: Platform = request.app.state.platform
    project = await platform.get("projects", f"/v1/projects/{project_id}", token=token)
    if project is None:
        raise NotFound("there is no project of yours at this address")
    return dict(project)


def _described(item: dict[str, Any]) -> dict[str, Any]:
    words, colour = STATUS_WORDS.get(item["status"], (item["status"], "grey"))
    item["status_words"], item["colour"] = words, colour
    for finding in item.get("findings") or []:
        finding["kind_name"] = FINDING_KINDS.get(finding.get("kind", ""), finding.get("kind"))
        finding["refuses"] = finding.get("severity") == "refuse"
    return item


async def _list_page(
    request: Request,
    project_id: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    token = await access_token(request)
    project = await _project(request, token, project_id)
    platform: Platform = request.app.state.platform
    page = await platform.get(
        "access",
        "/v1/ingestion-requests",
        token=token,
        params={"project_id": project_id, "limit": 100},
    )
    items = [_described(dict(i)) for i in (page or {}).get("items", [])]
    return render(
        request,
        "ingestion.html",
        {
            "title": f"Bring data or code in: {project['title']}",
            "project": project,
            "items": items,
            "kinds": KINDS,
            "values": values or {},
            "errors": errors or {},
        },
        status=status,
    )


@router.get("/projects/{project_id}/ingestion", response_class=HTMLResponse)
async def ingestion_list(request: Request, project_id: str) -> Response:
    researcher(request)
    return await _list_page(request, project_id)


async def _send(
    platform: Platform, token: str, data: dict[str, str], uploads: list[UploadFile]
) -> tuple[int, Any]:
    """The files to the access API as multipart, as the browser sent them."""
    files = []
    total = 0
    for upload in uploads:
        content = await upload.read()
        total += len(content)
        if total > MAX_UPLOAD_BYTES:
            return 422, {"detail": "The files together are larger than 128 MB"}
        kind = upload.content_type or "application/octet-stream"
        files.append(("files", (upload.filename or "file", content, kind)))
    return await platform.send(
        "POST", "access", "/v1/ingestion-requests", token=token, json=None, data=data, files=files
    )


@router.post(
    "/projects/{project_id}/ingestion",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def ingestion_create(request: Request, project_id: str) -> Response:
    researcher(request)
    token = await access_token(request)
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in ("kind", "description")}
    uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    errors: dict[str, str] = {}
    if values["kind"] not in dict((k, t) for k, t, _ in KINDS):
        errors["kind"] = "Choose data or code"
    if len(values["description"]) < 3:
        errors["description"] = "Say what the files are and why the project needs them"
    if not uploads:
        errors["files"] = "Choose at least one file to upload"
    if errors:
        return await _list_page(request, project_id, values, errors, status=422)
    platform: Platform = request.app.state.platform
    status, body = await _send(platform, token, {"project_id": project_id, **values}, uploads)
    if status == 404:
        raise NotFound("there is no project of yours at this address")
    if status != 201:
        problem = body if isinstance(body, dict) else {}
        words = RULES.get(str(problem.get("rule")))
        errors["files"] = words or problem_detail(problem, "The access service refused it")
        return await _list_page(request, project_id, values, errors, status=422)
    return RedirectResponse(f"/projects/{project_id}/ingestion/{body['id']}", status_code=303)


async def _request_page(
    request: Request, project_id: str, request_id: str, errors: dict[str, str], status: int = 200
) -> HTMLResponse:
    user = signed_in_user(request)
    token = await access_token(request)
    project = await _project(request, token, project_id)
    platform: Platform = request.app.state.platform
    item = await platform.get("access", f"/v1/ingestion-requests/{request_id}", token=token)
    if item is None or item.get("project_id") != project_id:
        raise NotFound("there is no request of this project at this address")
    item = _described(dict(item))
    mine = item["researcher_id"] == user.get("researcher_id")
    return render(
        request,
        "ingestion_request.html",
        {
            "title": "Request to bring data or code in",
            "project": project,
            "item": item,
            "may_withdraw": mine and item["status"] in ("submitted", "checked"),
            "errors": errors,
        },
        status=status,
    )


@router.get("/projects/{project_id}/ingestion/{request_id}", response_class=HTMLResponse)
async def ingestion_request(request: Request, project_id: str, request_id: str) -> Response:
    researcher(request)
    return await _request_page(request, project_id, request_id, {})


@router.post(
    "/projects/{project_id}/ingestion/{request_id}/withdrawal",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def ingestion_withdraw(request: Request, project_id: str, request_id: str) -> Response:
    researcher(request)
    token = await access_token(request)
    platform: Platform = request.app.state.platform
    status, body = await platform.post(
        "access",
        f"/v1/ingestion-requests/{request_id}/withdrawal",
        token=token,
        json=None,
        missing="there is no request of this project at this address",
    )
    if status != 200:
        errors = {"withdraw": problem_detail(body, "This request can no longer be withdrawn")}
        return await _request_page(request, project_id, request_id, errors, status=status)
    return RedirectResponse(f"/projects/{project_id}/ingestion/{request_id}", status_code=303)
