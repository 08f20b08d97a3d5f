"""Support's view of a project: its state, its final publications and, once it is
complete, the nomination as a case study (with a reason; the lead is asked to consent)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from srs_common.errors import NotFound
from srs_portal.pages import render
from srs_portal.security import require_csrf
from srs_portal.staff import require_role
from srs_portal.staff.common import form_text, reason_error, refusal, staff_call

router = APIRouter(prefix="/support")
SupportStaff = Annotated[dict[str, Any], Depends(require_role("support"))]


async def _project(request: Request, project_id: str) -> dict[str, Any]:
    platform, token = await staff_call(request)
    project = await platform.get("projects", f"/v1/projects/{project_id}", token=token)
    if not project:
        raise NotFound("there is no such project")
    return {
        **project,
        "organisation_name": (await platform.organisation_names()).get(
            project.get("organisation_id", "")
        ),
    }


def _page(
    request: Request,
    project: dict[str, Any],
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "staff/support_project.html",
        {
            "title": project["title"],
            "project": project,
            "values": values or {},
            "errors": errors or {},
        },
        status=status,
    )


@router.get("/projects/{project_id}", response_class=HTMLResponse)
async def project_page(request: Request, project_id: str, user: SupportStaff) -> Response:
    return _page(request, await _project(request, project_id))


@router.post(
    "/projects/{project_id}/case-study",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def nominate(request: Request, project_id: str, user: SupportStaff) -> Response:
    project = await _project(request, project_id)
    form = await request.form()
    values = {"reason": form_text(form, "reason")}
    problem = reason_error(values["reason"], "the nomination")
    if problem:
        return _page(request, project, values, {"reason": problem}, status=422)
    platform, token = await staff_call(request)
    status, answer = await platform.post(
        "projects",
        f"/v1/projects/{project_id}/case-study",
        token=token,
        json={"reason": values["reason"]},
    )
    if status != 200:
        errors = {"reason": refusal(answer, "The projects service refused the nomination")}
        return _page(request, project, values, errors, status=status)
    return RedirectResponse(f"/support/projects/{project_id}#case-study", status_code=303)
