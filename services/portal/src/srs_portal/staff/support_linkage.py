"""Support's linkage work (/support/linkage): the SRS team's IDBR matching tasks to take
on and complete (matched and unmatched counts) or fail with a reason, and the requests
for new linked datasets to assess on the four factors (user need, one answer per data
owner, feasibility, ONS resource) and to agree or decline with reasons."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from srs_common.errors import NotFound
from srs_portal.linkage import described
from srs_portal.pages import render
from srs_portal.security import require_csrf
from srs_portal.staff.common import every_item, form_text, reason_error, refusal, staff_call
from srs_portal.staff.support import SupportStaff

router = APIRouter(prefix="/support/linkage")
TASK_ACTIONS = ("start", "complete", "fail")


async def _page(
    request: Request,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    platform, token = await staff_call(request)
    tasks = await every_item(platform, "projects", "/v1/linkage-tasks", token)
    requests = await every_item(platform, "projects", "/v1/linked-dataset-requests", token)
    return render(
        request,
        "staff/support_linkage.html",
        {
            "title": "Linkage",
            "open_tasks": [t for t in tasks if t["status"] in ("pending", "in_progress")],
            "done_tasks": [t for t in tasks if t["status"] in ("completed", "failed")],
            "open_requests": [
                described(r) for r in requests if r["status"] in ("requested", "under_assessment")
            ],
            "decided_requests": [
                described(r) for r in requests if r["status"] in ("agreed", "declined")
            ],
            "values": values or {},
            "errors": errors or {},
        },
        status=status,
    )


@router.get("", response_class=HTMLResponse)
async def linkage_page(request: Request, user: SupportStaff) -> Response:
    return await _page(request)


def _count(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 8 else None


@router.post(
    "/tasks/{task_id}/{action}", response_class=HTMLResponse, dependencies=[Depends(require_csrf)]
)
async def task_action(request: Request, task_id: str, action: str, user: SupportStaff) -> Response:
    if action not in TASK_ACTIONS:
        raise NotFound("there is no such action")
    form = await request.form()
    values = {
        "task_id": task_id,
        **{k: form_text(form, k) for k in ("matched", "unmatched", "note", "reason")},
    }
    errors: dict[str, str] = {}
    body: dict[str, Any] | None = None
    if action == "complete":
        matched, unmatched = _count(values["matched"]), _count(values["unmatched"])
        if matched is None:
            errors["matched"] = "Enter how many businesses matched, as a whole number"
        if unmatched is None:
            errors["unmatched"] = "Enter how many businesses did not match, as a whole number"
        body = {
            "matched_count": matched,
            "unmatched_count": unmatched,
            "note": values["note"] or None,
        }
    elif action == "fail":
        problem = reason_error(values["reason"], "the failure")
        if problem:
            errors["reason"] = problem
        body = {"reason": values["reason"]}
    if errors:
        return await _page(request, values, errors, status=422)
    platform, token = await staff_call(request)
    status, answer = await platform.post(
        "projects",
        f"/v1/linkage-tasks/{task_id}/{action}",
        token=token,
        json=body,
        missing="there is no such linkage task",
    )
    if status != 200:
        errors["task"] = refusal(answer, "The projects service refused the change")
        return await _page(request, values, errors, status=status)
    return RedirectResponse("/support/linkage", status_code=303)


@router.post(
    "/requests/{request_id}/assessment",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def assess(request: Request, request_id: str, user: SupportStaff) -> Response:
    form = await request.form()
    owners = [str(o) for o in form.getlist("owners")]
    values: dict[str, Any] = {
        "request_id": request_id,
        **{k: form_text(form, k) for k in ("user_need", "feasibility", "resource")},
    }
    errors: dict[str, str] = {}
    answers = []
    for index, owner in enumerate(owners):
        answer = form_text(form, f"owner-{index}")
        if answer not in ("yes", "no"):
            errors["owner-0"] = "Record whether each data owner supports the linkage"
        answers.append({"owner": owner, "supports": answer == "yes"})
    if values["user_need"] not in ("strong", "moderate", "weak"):
        errors["user_need"] = "Choose the strength of the user need"
    if values["feasibility"] not in ("straightforward", "complex", "not_feasible"):
        errors["feasibility"] = "Choose the feasibility of the linkage"
    if values["resource"] not in ("yes", "no"):
        errors["resource"] = "Choose whether ONS has the resource"
    if errors:
        return await _page(request, values, errors, status=422)
    platform, token = await staff_call(request)
    status, answer = await platform.post(
        "projects",
        f"/v1/linked-dataset-requests/{request_id}/assessment",
        token=token,
        json={
            "user_need": {"strength": values["user_need"]},
            "owner_support": answers,
            "feasibility": {"finding": values["feasibility"]},
            "ons_resource": {"available": values["resource"] == "yes"},
        },
        missing="there is no such linked dataset request",
    )
    if status != 200:
        errors["user_need"] = refusal(answer, "The projects service refused the assessment")
        return await _page(request, values, errors, status=status)
    return RedirectResponse("/support/linkage", status_code=303)


@router.post(
    "/requests/{request_id}/decision",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def decide(request: Request, request_id: str, user: SupportStaff) -> Response:
    form = await request.form()
    values = {
        "request_id": request_id,
        **{k: form_text(form, k) for k in ("outcome", "reasons", "dataset_id")},
    }
    errors: dict[str, str] = {}
    if values["outcome"] not in ("agreed", "declined"):
        errors["outcome"] = "Choose agree or decline"
    problem = reason_error(values["reasons"], "the outcome")
    if problem:
        errors["reasons"] = problem
    if values["outcome"] == "agreed" and len(values["dataset_id"]) < 3:
        errors["dataset_id"] = "Enter the catalogue id of the new linked dataset"
    if errors:
        return await _page(request, values, errors, status=422)
    platform, token = await staff_call(request)
    status, answer = await platform.post(
        "projects",
        f"/v1/linked-dataset-requests/{request_id}/decision",
        token=token,
        json={
            "outcome": values["outcome"],
            "reasons": values["reasons"],
            "dataset_id": values["dataset_id"] or None,
        },
        missing="there is no such linked dataset request",
    )
    if status != 200:
        errors["outcome"] = refusal(answer, "The projects service refused the outcome")
        return await _page(request, values, errors, status=status)
    return RedirectResponse("/support/linkage", status_code=303)
