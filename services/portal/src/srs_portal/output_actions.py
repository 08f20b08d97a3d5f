"""What a researcher does with an output request in the portal: create one from the
project's page, upload files into groups with their context and controls, submit, answer
a checker's clarification, download cleared files and attest destruction. Each form goes
to the clearance API with the person's own token; its refusals are shown in words in a
GOV.UK error summary."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile

from srs_common.errors import NotFound
from srs_portal.outputs import show_output
from srs_portal.pages import problem_detail, render, signed_in_user
from srs_portal.platform import Platform, ServiceUnavailable, SignInAgain
from srs_portal.profile import researcher
from srs_portal.security import require_csrf
from srs_portal.signin import access_token

router = APIRouter()

KINDS = [
    (
        "pre_publication",
        "Pre-publication output",
        "For sharing with your project team or peer reviewers before publication; "
        "you destroy it after use.",
    ),
    ("publication", "Publication output", "For publishing: a paper, a report, a table."),
    ("code_file", "Code file", "Code and its commentary, to take out of the project space."),
]
# Upload limit of the clearance service (16 MB a file).
MAX_FILE_BYTES = 16 * 1024 * 1024
# The clearance API's field names to the forms'.
FIELDS = {
    "body.title": "title",
    "body.kind": "kind",
    "body.name": "group_name",
    "body.context": "context",
    "body.controls": "controls",
    "body.text": "answer",
    "body.statement": "statement",
}


def problem_errors(body: Any, fallback: str) -> dict[str, str]:
    """The API's reasons against the form's fields (its detail otherwise)."""
    problem = body if isinstance(body, dict) else {}
    errors: dict[str, str] = {}
    for error in problem.get("errors") or []:
        name = FIELDS.get(str(error.get("field")))
        if name is not None:
            errors.setdefault(name, str(error.get("message", "")))
    if not errors:
        errors[fallback] = problem_detail(problem, "The clearance service refused it")
    return errors


async def _project(request: Request, token: str, project_id: str) -> dict[str, Any]:
    platform: Platform = request.app.state.platform
    project = await platform.get("projects", f"/v1/projects/{project_id}", token=token)
    if project is None:
        raise NotFound("there is no project of yours at this address")
    return dict(project)


async def _output(request: Request, token: str, output_id: str) -> dict[str, Any]:
    platform: Platform = request.app.state.platform
    output = await platform.get("clearance", f"/v1/outputs/{output_id}", token=token)
    if output is None:
        raise NotFound("there is no output request of yours at this address")
    return dict(output)


def _new_page(
    request: Request,
    project: dict[str, Any],
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "output_new.html",
        {
            "title": f"New output request: {project['title']}",
            "project": project,
            "values": values,
            "errors": errors,
            "kinds": KINDS,
        },
        status=status,
    )


@router.get("/projects/{project_id}/outputs/new", response_class=HTMLResponse)
async def new_output_form(request: Request, project_id: str) -> Response:
    researcher(request)
    token = await access_token(request)
    return _new_page(request, await _project(request, token, project_id), {}, {})


@router.post(
    "/projects/{project_id}/outputs/new",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def create_output(request: Request, project_id: str) -> Response:
    researcher(request)
    token = await access_token(request)
    project = await _project(request, token, project_id)
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in ("title", "kind")}
    errors: dict[str, str] = {}
    if len(values["title"]) < 3:
        errors["title"] = "Enter a title of at least 3 characters"
    if values["kind"] not in {kind for kind, _, _ in KINDS}:
        errors["kind"] = "Choose the kind of output"
    if errors:
        return _new_page(request, project, values, errors, status=422)
    platform: Platform = request.app.state.platform
    status, body = await platform.post(
        "clearance",
        "/v1/outputs",
        token=token,
        json={
            "project_id": project_id,
            "kind": values["kind"],
            "title": values["title"],
            "dataset_ids": list(project.get("dataset_ids", [])),
        },
    )
    if status == 201:
        return RedirectResponse(f"/outputs/{body['id']}", status_code=303)
    return _new_page(request, project, values, problem_errors(body, "title"), status=422)


async def _upload(platform: Platform, token: str, path: str, upload: UploadFile) -> tuple[int, Any]:
    """One file to the clearance API as multipart, as the browser sent it."""
    data = await upload.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        return 422, {"detail": f"{upload.filename} is larger than 16 MB"}
    kind = upload.content_type or "application/octet-stream"
    return await platform.send(
        "POST",
        "clearance",
        path,
        token=token,
        json=None,
        files={"file": (upload.filename or "file", data, kind)},
    )


@router.post(
    "/outputs/{output_id}/files", response_class=HTMLResponse, dependencies=[Depends(require_csrf)]
)
async def add_files(request: Request, output_id: str) -> Response:
    """A group (new, or the one of that name) and its files."""
    researcher(request)
    token = await access_token(request)
    output = await _output(request, token, output_id)
    form = await request.form()
    values = {
        name: str(form.get(name, "")).strip() for name in ("group_name", "context", "controls")
    }
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    errors: dict[str, str] = {}
    if not values["group_name"]:
        errors["group_name"] = "Enter a name for the group of files, like Table 1"
    if len(values["context"]) < 10:
        errors["context"] = "Say what the output shows, in at least 10 characters"
    if len(values["controls"]) < 3:
        errors["controls"] = "Say which disclosure controls you applied, or none"
    if not files:
        errors["files"] = "Choose at least one file to upload"
    platform: Platform = request.app.state.platform
    if not errors:
        group = next(
            (g for g in output.get("groups", []) if g.get("name") == values["group_name"]), None
        )
        if group is None:
            status, body = await platform.post(
                "clearance",
                f"/v1/outputs/{output_id}/groups",
                token=token,
                json={
                    "name": values["group_name"],
                    "context": values["context"],
                    "controls": values["controls"],
                },
            )
            if status != 201:
                errors = problem_errors(body, "group_name")
            group = body
        for upload in files if not errors else []:
            status, body = await _upload(
                platform, token, f"/v1/outputs/{output_id}/groups/{group['id']}/files", upload
            )
            if status != 201:
                errors.update(problem_errors(body, "files"))
                break
    if not errors:
        return RedirectResponse(f"/outputs/{output_id}#add-files", status_code=303)
    return await show_output(request, output_id, errors=errors, values=values)


async def _act(
    request: Request, output_id: str, path: str, field: str, payload: dict[str, Any] | None
) -> Response:
    """Post one action; back to the page, or the page with the refusal in words."""
    token = await access_token(request)
    platform: Platform = request.app.state.platform
    status, body = await platform.post(
        "clearance",
        f"/v1/outputs/{output_id}{path}",
        token=token,
        json=payload,
        missing="there is no output request of yours at this address",
    )
    if status == 200:
        return RedirectResponse(f"/outputs/{output_id}", status_code=303)
    values = {field: str((payload or {}).get("text") or (payload or {}).get("statement") or "")}
    return await show_output(request, output_id, errors=problem_errors(body, field), values=values)


@router.post(
    "/outputs/{output_id}/submit", response_class=HTMLResponse, dependencies=[Depends(require_csrf)]
)
async def submit_output(request: Request, output_id: str) -> Response:
    researcher(request)
    return await _act(request, output_id, "/submit", "submit", None)


@router.post(
    "/outputs/{output_id}/clarification",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def answer_checker(request: Request, output_id: str) -> Response:
    researcher(request)
    form = await request.form()
    answer = str(form.get("answer", "")).strip()
    if len(answer) < 3:
        return await show_output(
            request,
            output_id,
            errors={"answer": "Enter your answer to the checker's question"},
            values={"answer": answer},
        )
    return await _act(request, output_id, "/clarification/response", "answer", {"text": answer})


@router.post(
    "/outputs/{output_id}/destruction",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def attest_destruction(request: Request, output_id: str) -> Response:
    researcher(request)
    form = await request.form()
    statement = str(form.get("statement", "")).strip()
    if len(statement) < 10:
        return await show_output(
            request,
            output_id,
            errors={"statement": "Say how every copy was destroyed, in at least 10 characters"},
            values={"statement": statement},
        )
    return await _act(request, output_id, "/destruction", "statement", {"statement": statement})


@router.get("/outputs/{output_id}/files/{file_id}")
async def download(request: Request, output_id: str, file_id: str) -> Response:
    """A file of the request, streamed from the clearance service (which records the
    download in the request's audit trail)."""
    signed_in_user(request)
    token = await access_token(request)
    platform: Platform = request.app.state.platform
    url = (
        platform.service_urls["clearance"].rstrip("/") + f"/v1/outputs/{output_id}/files/{file_id}"
    )
    upstream = platform.client.build_request(
        "GET", url, headers={"Authorization": f"Bearer {token}"}
    )
    try:
        response = await platform.client.send(upstream, stream=True)
    except httpx.HTTPError as exc:
        raise ServiceUnavailable("the clearance service cannot be reached just now") from exc
    if response.status_code != 200:
        await response.aclose()
        if response.status_code == 401:
            raise SignInAgain()
        raise NotFound("there is no file of yours at this address")
    headers = {
        name: response.headers[name]
        for name in ("content-type", "content-disposition", "content-length")
        if name in response.headers
    }
    return StreamingResponse(
        response.aiter_raw(), headers=headers, background=BackgroundTask(response.aclose)
    )
