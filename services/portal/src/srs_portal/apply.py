"""A researcher applies for accreditation: the accreditation service drafts the
application (``POST /v1/applications``) and submits it (``.../submit``). The service
judges it; the page shows its reasons in words against the fields they concern."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from srs_portal.pages import problem_detail, render
from srs_portal.platform import Platform
from srs_portal.profile import researcher
from srs_portal.security import require_csrf
from srs_portal.signin import access_token

router = APIRouter()

KINDS = [
    (
        "full",
        "Full accreditation",
        "For researchers with a quantitative degree or enough research experience.",
    ),
    (
        "provisional",
        "Provisional accreditation, with a supervisor",
        "For researchers still gaining experience, supervised by an accredited researcher.",
    ),
    (
        "srsa_approved",
        "SRSA Approved Researcher",
        "Approval under the Statistics and Registration Service Act 2007 (SRSA).",
    ),
]
FIELDS = {
    "body.kind": "kind",
    "body.supervisor_id": "supervisor_id",
    "body.training_completed_on": "training",
    "body.statement": "statement",
}


def _page(
    request: Request, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> HTMLResponse:
    return render(
        request,
        "apply.html",
        {"title": "Apply for accreditation", "values": values, "errors": errors, "kinds": KINDS},
        status=status,
    )


@router.get("/accreditation/apply", response_class=HTMLResponse)
async def apply_form(
    request: Request, kind: Annotated[str | None, Query(max_length=30)] = None
) -> Response:
    """The form; ``?kind=`` chooses the kind ahead (renewing an accreditation held: the
    panel's approval of an application of the same kind renews it)."""
    researcher(request)
    known = {value for value, _, _ in KINDS}
    return _page(request, {"kind": kind} if kind in known else {}, {})


def _training_date(values: dict[str, str]) -> dt.date | None:
    try:
        return dt.date(
            int(values["training-year"]), int(values["training-month"]), int(values["training-day"])
        )
    except ValueError:
        return None


def _field_of(problem: dict[str, Any]) -> str:
    """The form field a refusal concerns: named by a field error, or by the broken rule."""
    rule = str(problem.get("rule", ""))
    if "training" in rule:
        return "training"
    if "supervisor" in rule:
        return "supervisor_id"
    return "kind"


@router.post(
    "/accreditation/apply", response_class=HTMLResponse, dependencies=[Depends(require_csrf)]
)
async def apply(request: Request) -> Response:
    researcher(request)
    form = await request.form()
    values = {
        name: str(form.get(name, "")).strip()
        for name in (
            "kind",
            "supervisor_id",
            "training-day",
            "training-month",
            "training-year",
            "statement",
        )
    }
    errors: dict[str, str] = {}
    if values["kind"] not in {kind for kind, _, _ in KINDS}:
        errors["kind"] = "Choose the accreditation you are applying for"
    trained = _training_date(values)
    if trained is None:
        errors["training"] = "Enter the date you completed safe researcher training, like 27 3 2026"
    if values["kind"] == "provisional" and not values["supervisor_id"]:
        errors["supervisor_id"] = "Enter your supervisor's researcher ID"
    if errors:
        return _page(request, values, errors, status=422)
    assert trained is not None
    token = await access_token(request)
    platform: Platform = request.app.state.platform
    details = {
        "training_completed_on": trained.isoformat(),
        "statement": values["statement"],
        "supervisor_id": values["supervisor_id"] if values["kind"] == "provisional" else None,
    }
    # A draft of this kind left by an attempt the service refused is completed, not
    # doubled.
    drafts = await platform.get(
        "accreditation", "/v1/applications", token=token, params={"status": "draft"}
    )
    draft = next(
        (a for a in (drafts or {}).get("items", []) if a.get("kind") == values["kind"]), None
    )
    if draft is not None:
        status, body = await platform.send(
            "PATCH", "accreditation", f"/v1/applications/{draft['id']}", token=token, json=details
        )
        status = 201 if status == 200 else status
    else:
        status, body = await platform.post(
            "accreditation",
            "/v1/applications",
            token=token,
            json={"kind": values["kind"], **details},
        )
    if status == 201:
        application_id = body["id"]
        status, body = await platform.post(
            "accreditation", f"/v1/applications/{application_id}/submit", token=token, json=None
        )
        if status == 200:
            return RedirectResponse("/dashboard", status_code=303)
    problem = body if isinstance(body, dict) else {}
    for error in problem.get("errors") or []:
        field = FIELDS.get(str(error.get("field")))
        if field is not None:
            errors.setdefault(field, str(error.get("message", "")))
    if not errors:
        errors[_field_of(problem)] = problem_detail(problem, "The application could not be made")
    return _page(request, values, errors, status=422)
