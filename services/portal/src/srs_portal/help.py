"""The Research Support Helpdesk for researchers: their requests, the "Ask for help" form
(about one of their own projects, outputs or bookings if they choose), a request's thread
with a reply form. Every rule is the accreditation service's (``/v1/helpdesk``)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from srs_common.errors import AppError, NotFound
from srs_portal import booking_week as week
from srs_portal.pages import render, signed_in_user
from srs_portal.platform import Platform
from srs_portal.security import require_csrf
from srs_portal.signin import access_token

router = APIRouter()
LONDON = ZoneInfo("Europe/London")

TEAMS = {"support": "Research Support Helpdesk", "statistical_support": "Statistical Support Team"}
CATEGORIES = {
    "general": "Something else",
    "accreditation": "My accreditation",
    "project": "A project",
    "booking": "A booking of a safe setting",
    "output_question": "A question about outputs (the Statistical Support Team answers it)",
}
# What the researcher reads about their request, and what staff read.
STATUS_WORDS = {
    "open": "Waiting for an answer",
    "awaiting_researcher": "Answered",
    "resolved": "Resolved",
    "closed": "Closed",
}
STAFF_STATUS_WORDS = {**STATUS_WORDS, "awaiting_researcher": "Waiting for the researcher"}
STATUS_COLOURS = {
    "open": "blue",
    "awaiting_researcher": "yellow",
    "resolved": "green",
    "closed": "grey",
}
REFERENCE_KINDS = {"project": "Project", "output": "Output request", "booking": "Booking"}
SUBJECT_MAX = 200
MESSAGE_MAX = 10_000


def when(value: str | None) -> str:
    """An API time in London, in words: ``Monday 7 December 2026 at 16:30``."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(LONDON)
    return f"{moment:%A} {moment.day} {moment:%B %Y} at {moment:%H:%M}"


def described(item: dict[str, Any], *, staff: bool = False) -> dict[str, Any]:
    """A request with its words: team, category, status, times in London."""
    words = STAFF_STATUS_WORDS if staff else STATUS_WORDS
    reference = item.get("reference")
    return {
        **item,
        "team_name": TEAMS.get(item["team"], item["team"]),
        "category_words": CATEGORIES.get(item["category"], item["category"]),
        "status_words": words.get(item["status"], item["status"]),
        "colour": STATUS_COLOURS.get(item["status"], "grey"),
        "expected": when(item.get("expected_answer_by")),
        "opened": when(item.get("created_at")),
        "updated": when(item.get("updated_at")),
        "resolved": when(item.get("resolved_at")),
        "reference_words": (
            f"{REFERENCE_KINDS.get(reference['kind'], reference['kind'])}: "
            f"{reference.get('label') or reference['id']}"
            if reference
            else None
        ),
        "messages": [{**m, "at": when(m["created_at"])} for m in item.get("messages", [])],
    }


def researcher(request: Request) -> dict[str, Any]:
    """The signed-in researcher (signed-out visitors are sent to sign in first)."""
    user = signed_in_user(request)
    if not user.get("researcher_id"):
        raise AppError(
            "The helpdesk pages here are for researchers. Staff answer requests from the "
            "Support workspace (or Output checking, for the Statistical Support Team).",
            status=403,
            title="You cannot ask for help here",
        )
    return user


async def references(platform: Platform, token: str) -> list[dict[str, Any]]:
    """What a request may be about, grouped: the researcher's own projects, output
    requests and bookings, as the APIs answer them (only their own)."""
    projects = await platform.get("projects", "/v1/projects", token=token, params={"limit": 200})
    outputs = await platform.get("clearance", "/v1/outputs", token=token, params={"limit": 200})
    bookings = await platform.get("booking", "/v1/bookings", token=token, params={"limit": 100})
    titles = {p["id"]: p["title"] for p in (projects or {}).get("items", [])}
    sites = {s["id"]: s for s in await platform.get("booking", "/v1/sites", token=token) or []}
    groups = [
        ("project", "Your projects", [(p, t) for p, t in titles.items()]),
        (
            "output",
            "Your output requests",
            [
                (o["id"], f"{o['title']} ({o.get('project_title') or titles.get(o['project_id'])})")
                for o in (outputs or {}).get("items", [])
            ],
        ),
        (
            "booking",
            "Your bookings",
            [
                (b["id"], f"{d['site_name']}, {d['day']}, {d['time']}")
                for b in (bookings or {}).get("items", [])
                for d in [week.described(b, sites, titles)]
            ],
        ),
    ]
    return [
        {
            "label": label,
            "options": [{"value": f"{kind}:{ref}", "text": text} for ref, text in options],
        }
        for kind, label, options in groups
        if options
    ]


async def _form(
    request: Request,
    token: str,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    platform: Platform = request.app.state.platform
    return render(
        request,
        "help_new.html",
        {
            "title": "Ask for help",
            "categories": CATEGORIES,
            "groups": await references(platform, token),
            "values": values,
            "errors": errors,
        },
        status=status,
    )


@router.get("/help", response_class=HTMLResponse)
async def request_list(request: Request) -> Response:
    researcher(request)
    token = await access_token(request)
    platform: Platform = request.app.state.platform
    page = await platform.get(
        "accreditation", "/v1/helpdesk/requests", token=token, params={"limit": 100}
    )
    items = [described(r) for r in (page or {}).get("items", [])]
    return render(request, "help.html", {"title": "Help", "requests": items})


@router.get("/help/new", response_class=HTMLResponse)
async def new_request(request: Request) -> Response:
    researcher(request)
    token = await access_token(request)
    category = request.query_params.get("category", "general")
    values = {"category": category if category in CATEGORIES else "general"}
    return await _form(request, token, values, {})


@router.post("/help/new", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def open_request(request: Request) -> Response:
    researcher(request)
    token = await access_token(request)
    form = await request.form()
    values = {
        name: str(form.get(name) or "").strip()
        for name in ("subject", "message", "category", "reference")
    }
    errors: dict[str, str] = {}
    if not values["subject"]:
        errors["subject"] = "Enter a subject"
    elif len(values["subject"]) > SUBJECT_MAX:
        errors["subject"] = f"The subject must be {SUBJECT_MAX} characters or fewer"
    if values["category"] not in CATEGORIES:
        errors["category"] = "Choose what your question is about"
    if not values["message"]:
        errors["message"] = "Enter your question"
    elif len(values["message"]) > MESSAGE_MAX:
        errors["message"] = f"Your question must be {MESSAGE_MAX} characters or fewer"
    platform: Platform = request.app.state.platform
    reference = None
    if values["reference"]:
        # Only one of the researcher's own, as the APIs list them for the picker.
        offered = {
            option["value"]: option["text"]
            for group in await references(platform, token)
            for option in group["options"]
        }
        if values["reference"] not in offered:
            errors["reference"] = "Choose one of your own projects, output requests or bookings"
        else:
            kind, _, ref = values["reference"].partition(":")
            reference = {"kind": kind, "id": ref, "label": offered[values["reference"]][:300]}
    if errors:
        return await _form(request, token, values, errors, status=422)
    status, body = await platform.post(
        "accreditation",
        "/v1/helpdesk/requests",
        token=token,
        json={
            "subject": values["subject"],
            "message": values["message"],
            "category": values["category"],
            "reference": reference,
        },
    )
    if status == 201:
        return RedirectResponse(f"/help/{body['id']}", status_code=303)
    problem = body if isinstance(body, dict) else {}
    if problem.get("rule") == "profile_required":
        errors["subject"] = "Register your researcher profile before asking the helpdesk"
    else:
        errors["message"] = str(problem.get("detail") or "Your request could not be sent")
    return await _form(request, token, values, errors, status=422)


async def _request_page(
    request: Request, token: str, request_id: str, errors: dict[str, str], status: int = 200
) -> Response:
    platform: Platform = request.app.state.platform
    item = await platform.get("accreditation", f"/v1/helpdesk/requests/{request_id}", token=token)
    if item is None:
        raise NotFound("there is no helpdesk request of yours at this address")
    return render(
        request,
        "help_request.html",
        {"title": item["subject"], "item": described(item), "errors": errors},
        status=status,
    )


@router.get("/help/{request_id}", response_class=HTMLResponse)
async def request_page(request: Request, request_id: str) -> Response:
    researcher(request)
    return await _request_page(request, await access_token(request), request_id, {})


@router.post(
    "/help/{request_id}/reply", response_class=HTMLResponse, dependencies=[Depends(require_csrf)]
)
async def reply(request: Request, request_id: str) -> Response:
    researcher(request)
    token = await access_token(request)
    body = str((await request.form()).get("body") or "").strip()
    if not body or len(body) > MESSAGE_MAX:
        error = "Enter your reply" if not body else "Your reply is too long"
        return await _request_page(request, token, request_id, {"body": error}, status=422)
    platform: Platform = request.app.state.platform
    status, answer = await platform.post(
        "accreditation",
        f"/v1/helpdesk/requests/{request_id}/replies",
        token=token,
        json={"body": body},
        missing="there is no helpdesk request of yours at this address",
    )
    if status != 200:
        error = "This request is closed: ask a new question instead"
        return await _request_page(request, token, request_id, {"body": error}, status=409)
    return RedirectResponse(f"/help/{request_id}", status_code=303)


@router.post(
    "/help/{request_id}/close", response_class=HTMLResponse, dependencies=[Depends(require_csrf)]
)
async def close(request: Request, request_id: str) -> Response:
    researcher(request)
    token = await access_token(request)
    platform: Platform = request.app.state.platform
    status, _ = await platform.post(
        "accreditation",
        f"/v1/helpdesk/requests/{request_id}/close",
        token=token,
        json={},
        missing="there is no helpdesk request of yours at this address",
    )
    return RedirectResponse(f"/help/{request_id}", status_code=303)
