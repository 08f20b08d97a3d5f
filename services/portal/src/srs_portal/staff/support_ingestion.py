"""Support staff's ingestion work: requests whose files the automatic check has read, with
the findings per file, to approve or refuse with a reason; approved ones to transfer into
the project space."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from srs_portal.pages import render
from srs_portal.platform import Platform
from srs_portal.security import require_csrf
from srs_portal.staff.common import every_item, form_text, reason_error, refusal, staff_call
from srs_portal.staff.support import SupportStaff

router = APIRouter(prefix="/support")
INGESTION_DECISIONS = {"approve": "approval", "refuse": "refusal"}
# A finding's kind in words (the access service's ingestion check).
FINDING_KINDS = {
    "r_package": "R package",
    "python_distribution": "Python package",
    "public_git_checkout": "Checkout of a public code repository",
    "unknown_binary": "Unknown program or binary",
    "unreadable_archive": "Archive not looked into",
}


def _described(request: dict[str, Any]) -> dict[str, Any]:
    for finding in request.get("findings") or []:
        finding["kind_name"] = FINDING_KINDS.get(finding.get("kind", ""), finding.get("kind"))
        finding["refuses"] = finding.get("severity") == "refuse"
    return request


async def _names(platform: Platform, token: str, requests: list[dict[str, Any]]) -> None:
    """Each request's researcher by name and project by title (ids only while unknown)."""
    people: dict[str, str] = {}
    titles: dict[str, str] = {}
    for researcher_id in sorted({r["researcher_id"] for r in requests})[:50]:
        found = await platform.get("accreditation", f"/v1/researchers/{researcher_id}", token=token)
        if found:
            people[researcher_id] = found["name"]
    for project_id in sorted({r["project_id"] for r in requests})[:50]:
        found = await platform.get("projects", f"/v1/projects/{project_id}", token=token)
        if found:
            titles[project_id] = found["title"]
    for r in requests:
        r["researcher_name"] = people.get(r["researcher_id"])
        r["project_title"] = titles.get(r["project_id"])


async def _ingestion_page(
    request: Request,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    platform, token = await staff_call(request)
    path = "/v1/ingestion-requests"
    waiting = await every_item(platform, "access", path, token, {"status": "checked"})
    approved = await every_item(platform, "access", path, token, {"status": "approved"})
    await _names(platform, token, waiting + approved)
    return render(
        request,
        "staff/support_ingestion.html",
        {
            "title": "Ingestion requests",
            "pending": [_described(r) for r in waiting],
            "approved": [_described(r) for r in approved],
            "values": values or {},
            "errors": errors or {},
        },
        status=status,
    )


@router.get("/ingestion-requests", response_class=HTMLResponse)
async def ingestion_requests(request: Request, user: SupportStaff) -> Response:
    return await _ingestion_page(request)


@router.post(
    "/ingestion-requests/{request_id}",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def decide_ingestion(request: Request, request_id: str, user: SupportStaff) -> Response:
    form = await request.form()
    values = {
        "request_id": request_id,
        "decision": form_text(form, "decision"),
        "reason": form_text(form, "reason"),
    }
    errors: dict[str, str] = {}
    if values["decision"] not in INGESTION_DECISIONS:
        errors["decision"] = "Choose approve or refuse"
    problem = reason_error(values["reason"], "the decision")
    if problem:
        errors["reason"] = problem
    if errors:
        return await _ingestion_page(request, values, errors, status=422)
    platform, token = await staff_call(request)
    status, answer = await platform.post(
        "access",
        f"/v1/ingestion-requests/{request_id}/{INGESTION_DECISIONS[values['decision']]}",
        token=token,
        json={"reason": values["reason"]},
        missing="there is no such ingestion request",
    )
    if status != 200:
        errors["decision"] = refusal(answer, "The access service refused the decision")
        return await _ingestion_page(request, values, errors, status=status)
    return RedirectResponse("/support/ingestion-requests", status_code=303)


@router.post(
    "/ingestion-requests/{request_id}/transfer",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def transfer_ingestion(request: Request, request_id: str, user: SupportStaff) -> Response:
    platform, token = await staff_call(request)
    status, answer = await platform.post(
        "access",
        f"/v1/ingestion-requests/{request_id}/transfer",
        token=token,
        json=None,
        missing="there is no such ingestion request",
    )
    if status != 200:
        errors = {"transfer": refusal(answer, "The access service refused the transfer")}
        return await _ingestion_page(request, {"request_id": request_id}, errors, status=status)
    return RedirectResponse("/support/ingestion-requests", status_code=303)
