"""The lead completes a requested dataset's supplementary form (the LS supplementary
form) from the project's page, through the projects API with their own token; a refusal
names each question in the page's error summary."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from srs_portal.pages import problem_detail
from srs_portal.platform import Platform
from srs_portal.profile import researcher
from srs_portal.projects import show_project
from srs_portal.security import require_csrf
from srs_portal.signin import access_token

router = APIRouter()


def answer_id(requirement_id: str, key: str) -> str:
    """The id of a question's input on the project's page (and of its error's anchor)."""
    return f"req-{requirement_id}-{key}"


def _errors(body: Any, requirement_id: str) -> dict[str, str]:
    problem = body if isinstance(body, dict) else {}
    errors: dict[str, str] = {}
    for error in problem.get("errors") or []:
        field = str(error.get("field", ""))
        key = field.rsplit(".", 1)[-1] if field.startswith(("answers.", "body.answers.")) else ""
        if key:
            errors[answer_id(requirement_id, key)] = str(error.get("message", "")).capitalize()
    if not errors:
        errors[f"req-{requirement_id}"] = problem_detail(
            problem, "The projects service refused the form"
        )
    return errors


@router.post(
    "/projects/{project_id}/requirements/{requirement_id}",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def submit_form(request: Request, project_id: str, requirement_id: str) -> Response:
    researcher(request)
    form = await request.form()
    prefix = f"req-{requirement_id}-"
    answers = {
        name.removeprefix(prefix): str(value).strip()
        for name, value in form.multi_items()
        if name.startswith(prefix)
    }
    token = await access_token(request)
    platform: Platform = request.app.state.platform
    status, body = await platform.post(
        "projects",
        f"/v1/dataset-requirements/{requirement_id}/submission",
        token=token,
        json={"answers": answers},
        missing="there is no dataset form of yours at this address",
    )
    if status == 200:
        return RedirectResponse(f"/projects/{project_id}#requirements", status_code=303)
    values = {answer_id(requirement_id, k): v for k, v in answers.items()}
    return await show_project(
        request, project_id, errors=_errors(body, requirement_id), values=values
    )
