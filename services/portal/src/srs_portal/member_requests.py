"""A request to add a member to an approved project, for the staff who decide it
(support, or the panel by the projects service's setting): the e-mail
``member_request_to_decide`` links here. Approving or refusing goes to the projects API
with the person's own token; the API decides who may."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from srs_common.errors import AppError, NotFound
from srs_portal.pages import problem_detail, render, signed_in_user
from srs_portal.platform import Platform
from srs_portal.projects import ROLE_NAMES
from srs_portal.security import require_csrf
from srs_portal.signin import access_token

router = APIRouter()

DECIDERS = {"support", "panel"}
STATES = {
    "requested": "Waiting for a decision",
    "approved": "Approved: the member has joined",
    "refused": "Refused",
    "withdrawn": "Withdrawn by the lead",
}


class NotADecider(AppError):
    status = 403
    title = "Only service staff decide member requests"


def decider(request: Request) -> dict[str, Any]:
    user = signed_in_user(request)
    if not DECIDERS & set(user.get("roles") or ()):
        raise NotADecider("member requests are decided by support staff or the panel")
    return user


async def _request(
    request: Request, token: str, project_id: str, request_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    platform: Platform = request.app.state.platform
    project = await platform.get("projects", f"/v1/projects/{project_id}", token=token)
    listed = await platform.get(
        "projects", f"/v1/projects/{project_id}/member-requests", token=token
    )
    found = next((r for r in listed or [] if r.get("id") == request_id), None)
    if project is None or found is None:
        raise NotFound("there is no such member request")
    return project, found


async def _page(
    request: Request,
    project_id: str,
    request_id: str,
    errors: dict[str, str] | None = None,
    reason: str = "",
) -> HTMLResponse:
    token = await access_token(request)
    project, member_request = await _request(request, token, project_id, request_id)
    # The name on the researcher record (staff read any), else the one the lead gave.
    platform: Platform = request.app.state.platform
    record = await platform.get(
        "accreditation", f"/v1/researchers/{member_request['researcher_id']}", token=token
    )
    member_request["name"] = (record or {}).get("name") or member_request.get("name")
    return render(
        request,
        "member_request.html",
        {
            "title": f"Member request: {project['title']}",
            "project": project,
            "member_request": member_request,
            "role_name": ROLE_NAMES.get(member_request["role"], member_request["role"]),
            "state": STATES.get(member_request["status"], member_request["status"]),
            "errors": errors or {},
            "reason": reason,
        },
        status=422 if errors else 200,
    )


@router.get("/projects/{project_id}/member-requests/{request_id}", response_class=HTMLResponse)
async def member_request_page(request: Request, project_id: str, request_id: str) -> Response:
    decider(request)
    return await _page(request, project_id, request_id)


@router.post(
    "/projects/{project_id}/member-requests/{request_id}",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def decide_member_request(request: Request, project_id: str, request_id: str) -> Response:
    decider(request)
    form = await request.form()
    decision = str(form.get("decision", ""))
    reason = str(form.get("reason", "")).strip()
    errors: dict[str, str] = {}
    if decision not in ("approve", "refuse"):
        errors["decision"] = "Choose whether to approve or refuse the request"
    elif decision == "refuse" and len(reason) < 3:
        errors["reason"] = "Give the reason for refusing, which the lead reads"
    if not errors:
        token = await access_token(request)
        platform: Platform = request.app.state.platform
        status, body = await platform.post(
            "projects",
            f"/v1/projects/{project_id}/member-requests/{request_id}/{decision}",
            token=token,
            json={"reason": reason} if decision == "refuse" else None,
            missing="there is no such member request",
        )
        if status == 200:
            return RedirectResponse(
                f"/projects/{project_id}/member-requests/{request_id}", status_code=303
            )
        problem = body if isinstance(body, dict) else {}
        errors["decision"] = problem_detail(problem, "The decision was refused")
    return await _page(request, project_id, request_id, errors, reason)
