"""What a project's lead does from its page: ask for a later completion date (service
staff decide) and complete the project with its final publications, through the projects
API with their own token; refusals are shown in words in the page's error summary."""

from __future__ import annotations

import datetime as dt
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

PUBLICATION_ROWS = 3


def _refusal(body: Any, fields: dict[str, str], fallback: str) -> dict[str, str]:
    problem = body if isinstance(body, dict) else {}
    errors: dict[str, str] = {}
    for error in problem.get("errors") or []:
        field = str(error.get("field", ""))
        name = next((v for k, v in fields.items() if field.startswith(k)), None)
        if name is not None:
            errors.setdefault(name, str(error.get("message", "")))
    if not errors:
        errors[fallback] = problem_detail(problem, "The projects service refused it")
    return errors


@router.post(
    "/projects/{project_id}/extensions",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def request_extension(request: Request, project_id: str) -> Response:
    researcher(request)
    form = await request.form()
    values = {
        name: str(form.get(name, "")).strip()
        for name in ("extend-day", "extend-month", "extend-year", "extension_reason")
    }
    errors: dict[str, str] = {}
    try:
        end = dt.date(
            int(values["extend-year"]), int(values["extend-month"]), int(values["extend-day"])
        )
    except ValueError:
        end = None
        errors["extend"] = "Enter the new end date, like 31 12 2028"
    if len(values["extension_reason"]) < 3:
        errors["extension_reason"] = "Say why the project needs more time"
    if not errors and end is not None:
        token = await access_token(request)
        platform: Platform = request.app.state.platform
        status, body = await platform.post(
            "projects",
            f"/v1/projects/{project_id}/extensions",
            token=token,
            json={"expected_end_date": end.isoformat(), "reason": values["extension_reason"]},
            missing="there is no project of yours at this address",
        )
        if status == 201:
            return RedirectResponse(f"/projects/{project_id}#extensions", status_code=303)
        errors = _refusal(
            body,
            {"body.expected_end_date": "extend", "body.reason": "extension_reason"},
            "extend",
        )
    return await show_project(request, project_id, errors=errors, values=values)


@router.post(
    "/projects/{project_id}/complete",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def complete_project(request: Request, project_id: str) -> Response:
    researcher(request)
    form = await request.form()
    values: dict[str, Any] = {}
    publications = []
    errors: dict[str, str] = {}
    for row in range(1, PUBLICATION_ROWS + 1):
        title = str(form.get(f"publication-{row}-title", "")).strip()
        url = str(form.get(f"publication-{row}-url", "")).strip()
        values[f"publication-{row}-title"], values[f"publication-{row}-url"] = title, url
        if url and not title:
            errors[f"publication-{row}-title"] = "Enter the publication's title"
        elif title:
            publications.append({"title": title, "url": url or None})
    if form.get("confirm") != "yes":
        errors["confirm"] = "Confirm that the project's work in the secure environment is done"
    if not errors:
        token = await access_token(request)
        platform: Platform = request.app.state.platform
        status, body = await platform.post(
            "projects",
            f"/v1/projects/{project_id}/complete",
            token=token,
            json={"final_publications": publications},
            missing="there is no project of yours at this address",
        )
        if status == 200:
            return RedirectResponse(f"/projects/{project_id}", status_code=303)
        fields = {
            f"body.final_publications.{row - 1}": f"publication-{row}-title"
            for row in range(1, PUBLICATION_ROWS + 1)
        }
        errors = _refusal(body, fields, "confirm")
    return await show_project(request, project_id, errors=errors, values=values)


@router.post(
    "/projects/{project_id}/case-study",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def answer_case_study(request: Request, project_id: str) -> Response:
    researcher(request)
    form = await request.form()
    answer = str(form.get("consent", ""))
    errors: dict[str, str] = {}
    if answer not in ("yes", "no"):
        errors["case-study"] = "Choose whether you consent to the case study"
    else:
        token = await access_token(request)
        platform: Platform = request.app.state.platform
        status, body = await platform.post(
            "projects",
            f"/v1/projects/{project_id}/case-study/consent",
            token=token,
            json={"consent": answer == "yes"},
            missing="there is no project of yours at this address",
        )
        if status == 200:
            return RedirectResponse(f"/projects/{project_id}#case-study", status_code=303)
        errors = _refusal(body, {}, "case-study")
    return await show_project(request, project_id, errors=errors, values={})
