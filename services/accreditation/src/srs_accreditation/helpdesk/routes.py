"""Routes of /v1/helpdesk: researchers' requests, the teams' queues, one thread each."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status

from srs_accreditation.deps import Researcher, Settings
from srs_accreditation.helpdesk import service
from srs_accreditation.helpdesk.rules import RequestStatus, Team
from srs_accreditation.helpdesk.schemas import (
    Closing,
    HelpdeskRequestCreate,
    HelpdeskRequestDetail,
    HelpdeskRequestRead,
    MessageCreate,
    Resolution,
)
from srs_common.auth import Principal, require_roles
from srs_common.context import Now
from srs_common.db import SessionDep
from srs_common.errors import problem_responses
from srs_common.pagination import Cursor, Limit, Page

helpdesk = APIRouter(prefix="/helpdesk", tags=["helpdesk"])

# The researcher whose request it is, or staff of the team that answers it.
HelpdeskUser = Annotated[Principal, Depends(require_roles("researcher", "support", "checker"))]
# Support staff (the helpdesk) and checkers (the Statistical Support Team).
HelpdeskStaff = Annotated[Principal, Depends(require_roles("support", "checker"))]
NO_REQUEST = "no such request, or not the caller's to see (another researcher's, another team's)"


def _within(settings: Settings) -> dt.timedelta:
    return dt.timedelta(hours=settings.helpdesk_answer_within_hours)


@helpdesk.post(
    "/requests",
    status_code=status.HTTP_201_CREATED,
    response_model=HelpdeskRequestDetail,
    summary="Ask the Research Support Helpdesk for help (output questions go to the "
    "Statistical Support Team)",
    responses=problem_responses(
        401,
        403,
        {422: "invalid input, or no researcher profile (`profile_required`)"},
    ),
)
async def open_request(
    data: HelpdeskRequestCreate,
    session: SessionDep,
    principal: Researcher,
    settings: Settings,
    now: Now,
) -> Any:
    """Opens a request (201) with its first message, optionally about one of the researcher's
    projects, outputs or bookings. `expected_answer_by` is the service level: a first answer
    within one working day of helpdesk hours (Monday to Friday 08:00 to 17:00, Europe/London,
    bank holidays excluded)."""
    return await service.open_request(session, principal, data, now=now, within=_within(settings))


@helpdesk.get(
    "/requests",
    response_model=Page[HelpdeskRequestRead],
    summary="List helpdesk requests (researcher: own; support and checkers: their team's)",
    responses=problem_responses(401, 403, 422),
)
async def list_requests(
    session: SessionDep,
    principal: HelpdeskUser,
    now: Now,
    status_: Annotated[RequestStatus | None, Query(alias="status")] = None,
    team: Team | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Keyset pagination (`limit`, `cursor`), the most recently active first: a researcher
    sees their own requests, support the helpdesk's, checkers the Statistical Support
    Team's."""
    return await service.list_requests(
        session, principal, status=status_, team=team, now=now, cursor=cursor, limit=limit
    )


@helpdesk.get(
    "/queue",
    response_model=Page[HelpdeskRequestRead],
    summary="The requests waiting for the caller's team, the soonest expected answer first",
    responses=problem_responses(401, 422, {403: "not staff, or another team's queue"}),
)
async def queue(
    session: SessionDep,
    principal: HelpdeskStaff,
    now: Now,
    team: Team | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Open requests (waiting for staff) of the teams the caller works in, ordered by
    `expected_answer_by`; `overdue` marks those past it. `team` narrows to one of them."""
    return await service.queue(session, principal, team=team, now=now, cursor=cursor, limit=limit)


@helpdesk.get(
    "/requests/{request_id}",
    response_model=HelpdeskRequestDetail,
    summary="A helpdesk request and its thread (internal notes only for its team's staff)",
    responses=problem_responses(401, 403, 422, {404: NO_REQUEST}),
)
async def read_request(
    request_id: str, session: SessionDep, principal: HelpdeskUser, now: Now
) -> Any:
    """The request with its messages, oldest first; the researcher never sees staff's
    internal notes."""
    return await service.read_request(session, principal, request_id, now=now)


@helpdesk.post(
    "/requests/{request_id}/replies",
    response_model=HelpdeskRequestDetail,
    summary="Reply in a request's thread (its researcher, or staff of its team)",
    responses=problem_responses(
        401, 403, 422, {404: NO_REQUEST, 409: "the request is closed (or resolved, for staff)"}
    ),
)
async def reply(
    request_id: str,
    data: MessageCreate,
    session: SessionDep,
    principal: HelpdeskUser,
    settings: Settings,
    now: Now,
) -> Any:
    """Staff's reply waits for the researcher (`awaiting_researcher`) and e-mails them; the
    researcher's reply waits for staff again (`open`, reopening an answered or resolved
    request, with a new expected answer time) and e-mails the team."""
    return await service.reply(
        session, principal, request_id, data, now=now, within=_within(settings)
    )


@helpdesk.post(
    "/requests/{request_id}/notes",
    response_model=HelpdeskRequestDetail,
    summary="Add an internal note to a request (staff of its team; never shown to the researcher)",
    responses=problem_responses(401, 403, 422, {404: NO_REQUEST}),
)
async def add_note(
    request_id: str, data: MessageCreate, session: SessionDep, principal: HelpdeskStaff, now: Now
) -> Any:
    """A note for the team in the thread; the status does not change and nobody is told."""
    return await service.add_note(session, principal, request_id, data, now=now)


@helpdesk.post(
    "/requests/{request_id}/resolve",
    response_model=HelpdeskRequestDetail,
    summary="Resolve a request, with an optional last reply (staff of its team; recorded "
    "with who and when)",
    responses=problem_responses(
        401, 403, 422, {404: NO_REQUEST, 409: "the request is already resolved or closed"}
    ),
)
async def resolve(
    request_id: str, data: Resolution, session: SessionDep, principal: HelpdeskStaff, now: Now
) -> Any:
    """Marks the request resolved (who and when in the audit log) and e-mails the researcher;
    a later reply of theirs reopens it."""
    return await service.resolve(session, principal, request_id, data, now=now)


@helpdesk.post(
    "/requests/{request_id}/close",
    response_model=HelpdeskRequestDetail,
    summary="Close a request for good (its researcher, or staff of its team)",
    responses=problem_responses(401, 403, 422, {404: NO_REQUEST, 409: "already closed"}),
)
async def close(
    request_id: str, data: Closing, session: SessionDep, principal: HelpdeskUser, now: Now
) -> Any:
    """No more replies are taken; a reason, if given, joins the thread."""
    return await service.close(session, principal, request_id, data, now=now)
