"""A data owner's workspace: the home-working requests that concern their datasets, to
approve for those datasets or refuse with a reason. Which requests concern them is the
access service's answer to their token (its ``org`` claim names the owner)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from srs_portal.pages import render
from srs_portal.security import require_csrf
from srs_portal.staff import require_role
from srs_portal.staff.common import (
    CHANGED_MEANWHILE,
    form_text,
    reason_error,
    refusal,
    staff_call,
)

router = APIRouter(prefix="/data-owner")
DataOwner = Annotated[dict[str, Any], Depends(require_role("data_owner"))]


def _shaped(request: dict[str, Any], owner: str) -> dict[str, Any]:
    """The request with the owner's own datasets and whether they have approved them."""
    mine = [d for d, o in request.get("dataset_owners", {}).items() if o == owner]
    approvals = request.get("owner_approvals", {})
    return {
        **request,
        "names": request.get("names") or {},
        "my_datasets": mine,
        "others": sorted({o for o in request.get("dataset_owners", {}).values() if o != owner}),
        "approved_by_me": bool(mine) and all(d in approvals for d in mine),
    }


async def _page(
    request: Request,
    user: dict[str, Any],
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    platform, token = await staff_call(request)
    requests = await platform.get("access", "/v1/home-working-requests", token=token) or []
    owner = str(user.get("org") or "")
    shaped = [_shaped(r, owner) for r in requests]
    # Each waiting request's form carries the version it was drawn from (If-Match).
    waiting = [r for r in shaped if r["status"] == "submitted"]
    tags = await asyncio.gather(
        *[
            platform.etag("access", f"/v1/home-working-requests/{r['id']}", token=token)
            for r in waiting
        ]
    )
    for item, tag in zip(waiting, tags, strict=True):
        item["etag"] = tag
    forms = await platform.get(
        "projects", "/v1/dataset-requirements", token=token, params={"status": "submitted"}
    )
    return render(
        request,
        "staff/owner.html",
        {
            "title": "Home-working requests",
            "owner": owner,
            "organisations": await platform.organisation_names(),
            "waiting": waiting,
            "decided": [r for r in shaped if r["status"] != "submitted"],
            "forms": (forms or {}).get("items", []),
            "values": values or {},
            "errors": errors or {},
        },
        status=status,
    )


@router.get("", response_class=HTMLResponse)
async def home(request: Request, user: DataOwner) -> Response:
    return await _page(request, user)


@router.post(
    "/home-working-requests/{request_id}",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def decide(request: Request, request_id: str, user: DataOwner) -> Response:
    form = await request.form()
    values = {
        "request_id": request_id,
        "decision": form_text(form, "decision"),
        "reason": form_text(form, "reason"),
    }
    errors: dict[str, str] = {}
    if values["decision"] not in ("approve", "refuse"):
        errors["decision"] = "Choose approve or refuse"
    if values["decision"] == "refuse":
        problem = reason_error(values["reason"], "refusing")
        if problem:
            errors["reason"] = problem
    if errors:
        return await _page(request, user, values, errors, status=422)
    platform, token = await staff_call(request)
    approve = values["decision"] == "approve"
    status, answer = await platform.send(
        "POST",
        "access",
        f"/v1/home-working-requests/{request_id}/{'owner-approval' if approve else 'refusal'}",
        token=token,
        json=None if approve else {"reason": values["reason"]},
        if_match=form_text(form, "etag"),
        missing="there is no home-working request of your datasets at this address",
    )
    if status == 412:
        # Staff or another owner acted first: the requests as they stand now, saying so.
        return await _page(request, user, values, {"decision": CHANGED_MEANWHILE}, status=412)
    if status != 200:
        errors["decision"] = refusal(answer, "The access service refused the decision")
        return await _page(request, user, values, errors, status=status)
    return RedirectResponse("/data-owner", status_code=303)


@router.post(
    "/dataset-requirements/{requirement_id}",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def decide_form(request: Request, requirement_id: str, user: DataOwner) -> Response:
    """The dataset's team accepts a supplementary form or returns it with a reason."""
    form = await request.form()
    values = {
        "requirement_id": requirement_id,
        "form_decision": form_text(form, "form_decision"),
        "form_reason": form_text(form, "form_reason"),
    }
    errors: dict[str, str] = {}
    if values["form_decision"] not in ("accept", "return"):
        errors["form_decision"] = "Choose accept or return"
    if values["form_decision"] == "return":
        problem = reason_error(values["form_reason"], "returning the form")
        if problem:
            errors["form_reason"] = problem
    if errors:
        return await _page(request, user, values, errors, status=422)
    platform, token = await staff_call(request)
    path = f"/v1/dataset-requirements/{requirement_id}/{values['form_decision']}"
    body = {"reason": values["form_reason"]} if values["form_decision"] == "return" else None
    status, answer = await platform.post(
        "projects",
        path,
        token=token,
        json=body,
        missing="there is no dataset form for your team at this address",
    )
    if status != 200:
        errors["form_decision"] = refusal(answer, "The projects service refused the decision")
        return await _page(request, user, values, errors, status=status)
    return RedirectResponse("/data-owner", status_code=303)
