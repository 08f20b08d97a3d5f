"""A researcher's accreditation page: what they hold (status, expiry, renewal), their
applications with each state in words, and the panel's questions with a form to answer
them. Answering edits the application (``PATCH /v1/applications/{id}``, allowed while the
panel awaits information) and sends it back (``.../submit``). E-mails about accreditation
link here (``{portal_url}/accreditation``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from srs_common.errors import NotFound
from srs_portal.pages import problem_detail, render
from srs_portal.platform import Platform
from srs_portal.profile import researcher
from srs_portal.security import require_csrf
from srs_portal.signin import access_token

router = APIRouter()

# An accreditation ending within this many days is shown as "about to expire" (the
# accreditation service's first reminder is at 90 days, its second at 30).
EXPIRING_DAYS = 60
APPLICATION_STATES = {
    "draft": "Draft: not sent to the panel yet",
    "submitted": "Submitted: waiting for the panel's decision",
    "resubmitted": "Sent back to the panel with your answer",
    "information_requested": "The panel has asked you for more information",
    "approved": "Approved",
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
}
ACCREDITATION_STATES = {
    "current": "Current",
    "expired": "Expired",
    "suspended": "Suspended",
    "revoked": "Revoked",
}
KIND_NAMES = {
    "full": "Full accreditation",
    "provisional": "Provisional accreditation",
    "srsa_approved": "SRSA Approved Researcher",
}
ANSWER_MIN = 3


def days_left(valid_until: str | None, today: dt.date) -> int | None:
    try:
        return (dt.date.fromisoformat(str(valid_until)[:10]) - today).days
    except ValueError:
        return None


def expiring(accreditations: list[dict[str, Any]], today: dt.date) -> list[dict[str, Any]]:
    """Current accreditations that end within :data:`EXPIRING_DAYS`."""
    soon = []
    for accreditation in accreditations:
        left = days_left(accreditation.get("valid_until"), today)
        current = accreditation.get("status") == "current"
        if current and left is not None and 0 <= left <= EXPIRING_DAYS:
            soon.append({**accreditation, "days_left": left})
    return soon


async def standing(request: Request, token: str, researcher_id: str) -> dict[str, Any]:
    """The person's profile, accreditations and applications (empty when unregistered)."""
    platform: Platform = request.app.state.platform
    profile = await platform.get("accreditation", f"/v1/researchers/{researcher_id}", token=token)
    if profile is None:
        return {"profile": None, "accreditations": [], "applications": []}
    accreditations = await platform.get(
        "accreditation", f"/v1/researchers/{researcher_id}/accreditations", token=token
    )
    applications = await platform.get("accreditation", "/v1/applications", token=token)
    return {
        "profile": profile,
        "accreditations": accreditations or [],
        "applications": (applications or {}).get("items", []),
    }


def _page(
    request: Request,
    held: dict[str, Any],
    errors: dict[str, str] | None = None,
    answers: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    today = dt.datetime.now(dt.UTC).date()
    accreditations = [
        {
            **a,
            "kind_name": KIND_NAMES.get(a.get("kind", ""), str(a.get("kind", ""))),
            "state": ACCREDITATION_STATES.get(a.get("status", ""), str(a.get("status", ""))),
            "days_left": days_left(a.get("valid_until"), today),
        }
        for a in held["accreditations"]
    ]
    applications = [
        {
            **a,
            "kind_name": KIND_NAMES.get(a.get("kind", ""), str(a.get("kind", ""))),
            "state": APPLICATION_STATES.get(a.get("status", ""), str(a.get("status", ""))),
        }
        for a in held["applications"]
    ]
    pending = any(
        a["status"] in ("draft", "submitted", "resubmitted", "information_requested")
        for a in applications
    )
    return render(
        request,
        "accreditation.html",
        {
            "title": "Your accreditation",
            "profile": held["profile"],
            "accreditations": accreditations,
            "applications": applications,
            "questions": [a for a in applications if a["status"] == "information_requested"],
            "pending": pending,
            "expiring_days": EXPIRING_DAYS,
            "errors": errors or {},
            "answers": answers or {},
        },
        status=status,
    )


@router.get("/accreditation", response_class=HTMLResponse)
async def accreditation_page(request: Request) -> Response:
    user = researcher(request)
    token = await access_token(request)
    return _page(request, await standing(request, token, user["researcher_id"]))


@router.post(
    "/accreditation/applications/{application_id}/answer",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def answer_panel(request: Request, application_id: str) -> Response:
    """The applicant answers the panel's question: the answer is added to the
    application's statement and the application goes back to the panel."""
    user = researcher(request)
    token = await access_token(request)
    platform: Platform = request.app.state.platform
    application = await platform.get(
        "accreditation", f"/v1/applications/{application_id}", token=token
    )
    if application is None:
        raise NotFound("there is no application of yours at this address")
    form = await request.form()
    answer = str(form.get("answer", "")).strip()
    field = f"answer-{application_id}"
    errors: dict[str, str] = {}
    if application.get("status") != "information_requested":
        errors[field] = "The panel is not waiting for an answer to this application"
    elif len(answer) < ANSWER_MIN:
        errors[field] = "Enter your answer to the panel's question"
    if not errors:
        statement = str(application.get("statement") or "").rstrip()
        question = str(application.get("information_requested") or "").strip()
        answered = f"{statement}\n\nThe panel asked: {question}\nMy answer: {answer}".strip()
        status, body = await platform.send(
            "PATCH",
            "accreditation",
            f"/v1/applications/{application_id}",
            token=token,
            json={"statement": answered},
        )
        if status == 200:
            status, body = await platform.post(
                "accreditation", f"/v1/applications/{application_id}/submit", token=token, json=None
            )
            if status == 200:
                return RedirectResponse("/accreditation", status_code=303)
        problem = body if isinstance(body, dict) else {}
        messages = [str(e.get("message", "")) for e in problem.get("errors") or []]
        errors[field] = "; ".join(m for m in messages if m) or problem_detail(
            problem, "Your answer could not be sent"
        )
    held = await standing(request, token, user["researcher_id"])
    return _page(request, held, errors, {application_id: answer}, status=422)
