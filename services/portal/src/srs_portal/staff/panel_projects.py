"""A project application before the panel: what the applicant submitted beside the rules
that apply (each dataset's access level and permitted settings, the legal gateway, linkage
and its charge, the members and their accreditation); start the review, decide (approve
with conditions, reject, request information) with a reason, and confirm or change the
project's priority."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from srs_common.errors import NotFound
from srs_portal.pages import render
from srs_portal.projects import DECISIONS, GATEWAYS, LEVELS, ROLE_NAMES, _catalogue
from srs_portal.security import require_csrf
from srs_portal.staff.common import (
    CHANGED_MEANWHILE,
    decision_form,
    form_text,
    reason_error,
    refusal,
    staff_call,
)
from srs_portal.staff.panel import PanelMember

router = APIRouter(prefix="/panel/projects")

REVIEWABLE = ("submitted", "resubmitted")
DECIDABLE = ("under_review",)
UNDECIDED = ("submitted", "resubmitted", "under_review", "information_requested")
# Decision -> (the API's action path, what the reason is for).
PROJECT_DECISIONS = {
    "approve": ("approve", "approving"),
    "reject": ("reject", "rejecting"),
    "request_information": ("request-information", "the questions to the lead"),
}
# Access levels from least to most restricted: a project is as restricted as its most
# restricted dataset.
LEVEL_ORDER = ["home", "aoc_office", "safe_setting"]
INACTIVE = {
    "accreditation_expired": "accreditation expired",
    "accreditation_suspended": "accreditation suspended",
    "accreditation_revoked": "accreditation revoked",
}


def linkage_lines(linkage: dict[str, Any] | None) -> list[str]:
    """The linkage the application asks for, and its charge, in words."""
    if not linkage:
        return ["No linkage of identifiable data is requested."]
    lines = []
    idbr = linkage.get("idbr")
    if idbr and idbr.get("method") == "crn":
        lines.append(
            f"IDBR matching by {len(idbr.get('crns') or [])} Companies House reference "
            "number(s), done by the SRS team at no charge."
        )
    elif idbr:
        accepted = "accepted" if idbr.get("charge_accepted") else "not accepted"
        lines.append(
            "IDBR matching by business names and addresses, done by the IDBR team for a "
            f"charge: the applicant has {accepted} the charge."
        )
    request = linkage.get("linked_dataset_request")
    if request:
        lines.append(
            f"A new linked dataset is requested. User need: {request.get('user_need')}. "
            f"Data owners' support: {request.get('data_owner_support')}. Feasibility: "
            f"{request.get('feasibility')}. ONS resource: {request.get('resource')}."
        )
    return lines or ["No linkage of identifiable data is requested."]


async def _project(request: Request, project_id: str) -> dict[str, Any]:
    platform, token = await staff_call(request)
    project = await platform.get("projects", f"/v1/projects/{project_id}", token=token)
    if project is None:
        raise NotFound("there is no project application before the panel at this address")
    return dict(project)


async def _page(
    request: Request,
    project: dict[str, Any],
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    platform, token = await staff_call(request)
    catalogue = await _catalogue(request, token)
    datasets = [
        catalogue.get(d) or {"id": d, "title": d, "level_name": "Unknown", "level_permits": ""}
        for d in project.get("dataset_ids", [])
    ]
    levels = [str(d.get("access_level")) for d in datasets if d.get("access_level") in LEVELS]
    strictest = max(levels, key=LEVEL_ORDER.index) if levels else None
    members = [
        {
            **m,
            "role_name": ROLE_NAMES.get(m.get("role", ""), str(m.get("role", ""))),
            "standing": "Current accreditation"
            if m.get("active")
            else "Not active: "
            + INACTIVE.get(str(m.get("inactive_reason")), str(m.get("inactive_reason") or "")),
        }
        for m in project.get("members", [])
    ]
    deciders = {str(d.get("decided_by") or "") for d in project.get("decisions", [])}
    named = await platform.staff_names(deciders, token=token)
    decisions = [
        {
            **d,
            "action_name": DECISIONS.get(d["action"], str(d["action"]).replace("_", " ")),
            "decided_by": named.get(str(d.get("decided_by") or ""), d.get("decided_by")),
        }
        for d in project.get("decisions", [])
    ]
    return render(
        request,
        "staff/panel_project.html",
        {
            "title": project["title"],
            "project": project,
            "datasets": datasets,
            "strictest": LEVELS[strictest] if strictest else None,
            "gateway": dict((g, n) for g, n, _ in GATEWAYS).get(
                project.get("legal_gateway", ""), project.get("legal_gateway")
            ),
            "linkage": linkage_lines(project.get("linkage")),
            "members": members,
            "organisations": await platform.organisation_names(),
            "decisions": decisions,
            "reviewable": project.get("status") in REVIEWABLE,
            "decidable": project.get("status") in DECIDABLE,
            "undecided": project.get("status") in UNDECIDED,
            # The version this page shows; its forms send it back as If-Match.
            "etag": await platform.etag("projects", f"/v1/projects/{project['id']}", token=token),
            "values": values or {},
            "errors": errors or {},
        },
        status=status,
    )


async def _changed_meanwhile(
    request: Request, project_id: str, field: str, values: dict[str, str] | None = None
) -> HTMLResponse:
    """Another panel member decided first (412): the page drawn again from the project as
    it is now, saying so; what this person typed is kept for them to reconsider."""
    project = await _project(request, project_id)
    return await _page(request, project, values, {field: CHANGED_MEANWHILE}, status=412)


@router.get("/{project_id}", response_class=HTMLResponse)
async def project_page(request: Request, project_id: str, user: PanelMember) -> Response:
    return await _page(request, await _project(request, project_id))


@router.post(
    "/{project_id}/review", response_class=HTMLResponse, dependencies=[Depends(require_csrf)]
)
async def start_review(request: Request, project_id: str, user: PanelMember) -> Response:
    project = await _project(request, project_id)
    form = await request.form()
    platform, token = await staff_call(request)
    status, answer = await platform.send(
        "POST",
        "projects",
        f"/v1/projects/{project_id}/review",
        token=token,
        json=None,
        if_match=form_text(form, "etag"),
    )
    if status == 412:
        return await _changed_meanwhile(request, project_id, "review")
    if status != 200:
        errors = {"review": refusal(answer, "The projects service refused to start the review")}
        return await _page(request, project, errors=errors, status=status)
    return RedirectResponse(f"/panel/projects/{project_id}", status_code=303)


@router.post(
    "/{project_id}/decision", response_class=HTMLResponse, dependencies=[Depends(require_csrf)]
)
async def decide(request: Request, project_id: str, user: PanelMember) -> Response:
    project = await _project(request, project_id)
    form = await request.form()
    values, decision, errors, body = decision_form(form, PROJECT_DECISIONS)
    if errors or decision is None:
        return await _page(request, project, values, errors, status=422)
    platform, token = await staff_call(request)
    status, answer = await platform.send(
        "POST",
        "projects",
        f"/v1/projects/{project_id}/{decision[0]}",
        token=token,
        json=body,
        if_match=form_text(form, "etag"),
    )
    if status == 412:
        return await _changed_meanwhile(request, project_id, "decision", values)
    if status != 200:
        errors["decision"] = refusal(answer, "The projects service refused the decision")
        return await _page(request, project, values, errors, status=status)
    return RedirectResponse(f"/panel/projects/{project_id}", status_code=303)


@router.post(
    "/{project_id}/priority", response_class=HTMLResponse, dependencies=[Depends(require_csrf)]
)
async def decide_priority(request: Request, project_id: str, user: PanelMember) -> Response:
    project = await _project(request, project_id)
    form = await request.form()
    values = {
        "priority": form_text(form, "priority"),
        "priority_reason": form_text(form, "priority_reason"),
    }
    errors: dict[str, str] = {}
    if values["priority"] not in ("yes", "no"):
        errors["priority"] = "Choose whether the project has priority"
    problem = reason_error(values["priority_reason"], "the priority decision")
    if problem:
        errors["priority_reason"] = problem
    if errors:
        return await _page(request, project, values, errors, status=422)
    platform, token = await staff_call(request)
    status, answer = await platform.send(
        "POST",
        "projects",
        f"/v1/projects/{project_id}/priority",
        token=token,
        json={"priority": values["priority"] == "yes", "reason": values["priority_reason"]},
        if_match=form_text(form, "etag"),
    )
    if status == 412:
        return await _changed_meanwhile(request, project_id, "priority", values)
    if status != 200:
        errors["priority"] = refusal(answer, "The projects service refused the priority")
        return await _page(request, project, values, errors, status=status)
    return RedirectResponse(f"/panel/projects/{project_id}", status_code=303)
