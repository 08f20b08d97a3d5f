"""The helpdesk for staff: the queue of requests waiting for an answer (support's, and the
Statistical Support Team's for checkers), the soonest expected answer first with the
overdue marked, and a request's page to reply, add an internal note or resolve it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from srs_common.errors import NotFound
from srs_portal.help import MESSAGE_MAX, TEAMS, described
from srs_portal.pages import render
from srs_portal.security import require_csrf
from srs_portal.staff import require_role
from srs_portal.staff.common import every_item, form_text, refusal, staff_call

router = APIRouter(prefix="/support/helpdesk")
HelpdeskStaff = Annotated[dict[str, Any], Depends(require_role("support", "checker"))]
# The role whose holders answer each team's requests.
TEAM_ROLES = {"support": "support", "statistical_support": "checker"}
NOT_YOURS = "there is no helpdesk request of your team at this address"
ACTIONS = {"reply": "replies", "note": "notes", "resolve": "resolve"}


def teams_of(user: dict[str, Any]) -> dict[str, str]:
    roles = set(user.get("roles") or ())
    return {team: name for team, name in TEAMS.items() if TEAM_ROLES[team] in roles}


@router.get("", response_class=HTMLResponse)
async def queue(
    request: Request,
    user: HelpdeskStaff,
    team: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """What waits for an answer, soonest expected first; and what waits for researchers."""
    teams = teams_of(user)
    chosen = team if team in teams else None
    params = {"team": chosen} if chosen else {}
    platform, token = await staff_call(request)
    waiting = await every_item(platform, "accreditation", "/v1/helpdesk/queue", token, params)
    answered = await every_item(
        platform,
        "accreditation",
        "/v1/helpdesk/requests",
        token,
        {**params, "status": "awaiting_researcher"},
    )
    return render(
        request,
        "staff/helpdesk.html",
        {
            "title": "Helpdesk",
            "teams": teams,
            "team": chosen,
            "waiting": [described(r, staff=True) for r in waiting],
            "answered": [described(r, staff=True) for r in answered],
        },
    )


async def _request_page(
    request: Request, request_id: str, errors: dict[str, str], status: int = 200
) -> Response:
    platform, token = await staff_call(request)
    item = await platform.get("accreditation", f"/v1/helpdesk/requests/{request_id}", token=token)
    if item is None:
        raise NotFound(NOT_YOURS)
    return render(
        request,
        "staff/helpdesk_request.html",
        {"title": item["subject"], "item": described(item, staff=True), "errors": errors},
        status=status,
    )


@router.get("/{request_id}", response_class=HTMLResponse)
async def request_page(request: Request, request_id: str, user: HelpdeskStaff) -> Response:
    return await _request_page(request, request_id, {})


@router.post(
    "/{request_id}/{action}", response_class=HTMLResponse, dependencies=[Depends(require_csrf)]
)
async def act(request: Request, request_id: str, action: str, user: HelpdeskStaff) -> Response:
    """Reply to the researcher, note something for the team, or resolve (with an optional
    last reply)."""
    if action not in ACTIONS:
        raise NotFound("there is no such helpdesk action")
    text = form_text(await request.form(), "body")
    if action != "resolve" and not text:
        what = "your reply" if action == "reply" else "the note"
        return await _request_page(request, request_id, {action: f"Enter {what}"}, 422)
    if len(text) > MESSAGE_MAX:
        return await _request_page(
            request, request_id, {action: f"Keep it to {MESSAGE_MAX} characters or fewer"}, 422
        )
    body = {"message": text or None} if action == "resolve" else {"body": text}
    platform, token = await staff_call(request)
    status, answer = await platform.post(
        "accreditation",
        f"/v1/helpdesk/requests/{request_id}/{ACTIONS[action]}",
        token=token,
        json=body,
        missing=NOT_YOURS,
    )
    if status != 200:
        sentence = refusal(answer, "The request could not be changed")
        return await _request_page(request, request_id, {action: sentence}, 409)
    return RedirectResponse(f"/support/helpdesk/{request_id}", status_code=303)
