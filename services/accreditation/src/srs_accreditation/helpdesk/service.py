"""The helpdesk's use cases: open a request, reply in its thread, note, resolve, close, and
the lists (a researcher's own requests, a team's queue)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_accreditation.helpdesk import rules
from srs_accreditation.helpdesk.rules import Author, RequestAction, RequestStatus, Team
from srs_accreditation.helpdesk.schemas import (
    Closing,
    HelpdeskRequestCreate,
    HelpdeskRequestDetail,
    HelpdeskRequestRead,
    MessageCreate,
    MessageRead,
    ReferenceRead,
    Resolution,
)
from srs_accreditation.helpdesk.visibility import (
    acting_as,
    request_visible_to,
    staffed_teams,
    visible_messages,
    visible_request,
)
from srs_accreditation.models import HelpdeskMessage, HelpdeskRequest, Researcher, audit_log
from srs_accreditation.researchers.visibility import own_researcher_id
from srs_common.auth import Principal
from srs_common.contracts import helpdesk as contracts
from srs_common.contracts.base import Contract
from srs_common.errors import Forbidden, RuleViolation
from srs_common.events.outbox import publish
from srs_common.ids import new_id
from srs_common.pagination import Page, desc, keyset_page


def read_model(request: HelpdeskRequest, name: str, now: dt.datetime) -> HelpdeskRequestRead:
    """The request as the API shows it (its researcher named, overdue worked out)."""
    reference = None
    if request.reference_kind and request.reference_id:
        reference = ReferenceRead.model_validate(
            {
                "kind": request.reference_kind,
                "id": request.reference_id,
                "label": request.reference_label,
            }
        )
    return HelpdeskRequestRead(
        id=request.id,
        researcher_id=request.researcher_id,
        researcher_name=name,
        subject=request.subject,
        category=rules.Category(request.category),
        team=Team(request.team),
        status=RequestStatus(request.status),
        reference=reference,
        expected_answer_by=request.expected_answer_by,
        overdue=rules.is_overdue(request.status, request.expected_answer_by, now),
        created_at=request.created_at,
        updated_at=request.updated_at,
        first_answered_at=request.first_answered_at,
        resolved_by=request.resolved_by,
        resolved_at=request.resolved_at,
        closed_at=request.closed_at,
    )


def _fields(request: HelpdeskRequest, at: dt.datetime) -> dict[str, Any]:
    return {
        "request_id": request.id,
        "researcher_id": request.researcher_id,
        "team": request.team,
        "category": request.category,
        "subject": request.subject,
        "occurred_at": at,
    }


def _message(
    request: HelpdeskRequest,
    author: Author,
    author_id: str,
    body: str,
    at: dt.datetime,
    *,
    internal: bool = False,
) -> HelpdeskMessage:
    return HelpdeskMessage(
        request_id=request.id,
        author=author,
        author_id=author_id,
        internal=internal,
        body=body,
        created_at=at,
    )


async def open_request(
    session: AsyncSession,
    principal: Principal,
    data: HelpdeskRequestCreate,
    *,
    now: dt.datetime,
    within: dt.timedelta,
) -> HelpdeskRequestDetail:
    """A researcher asks for help: the request goes to the team its category calls for,
    with the time a first answer is expected in the helpdesk's hours."""
    researcher = await session.get(Researcher, own_researcher_id(principal))
    if researcher is None:
        raise RuleViolation(
            "register a researcher profile before asking the helpdesk", rule="profile_required"
        )
    request = HelpdeskRequest(
        id=new_id("hdr"),
        researcher_id=researcher.id,
        subject=data.subject,
        category=data.category,
        team=rules.team_for(data.category),
        status=RequestStatus.OPEN,
        reference_kind=data.reference.kind if data.reference else None,
        reference_id=data.reference.id if data.reference else None,
        reference_label=data.reference.label if data.reference else None,
        expected_answer_by=rules.expected_answer_by(now, within),
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    await session.flush()
    session.add(_message(request, Author.RESEARCHER, researcher.id, data.message, now))
    await session.flush()
    assert request.expected_answer_by is not None
    await publish(
        session,
        contracts.HelpdeskRequestOpened(
            **_fields(request, now), expected_answer_by=request.expected_answer_by
        ),
        subject=request.id,
    )
    return await read_request(session, principal, request.id, now=now)


async def read_request(
    session: AsyncSession, principal: Principal, request_id: str, *, now: dt.datetime
) -> HelpdeskRequestDetail:
    """One request with its thread as the caller may read it."""
    request, name = await visible_request(session, principal, request_id)
    messages = await visible_messages(session, principal, request_id)
    return HelpdeskRequestDetail(
        **read_model(request, name, now).model_dump(),
        messages=[MessageRead.model_validate(m) for m in messages],
    )


def _listed(principal: Principal) -> Select[HelpdeskRequest, str]:
    return (
        select(HelpdeskRequest, Researcher.name)
        .join(Researcher, Researcher.id == HelpdeskRequest.researcher_id)
        .where(request_visible_to(principal))
    )


async def list_requests(
    session: AsyncSession,
    principal: Principal,
    *,
    status: RequestStatus | None,
    team: Team | None,
    now: dt.datetime,
    cursor: str | None,
    limit: int,
) -> Page[HelpdeskRequestRead]:
    """The requests the caller may see, the most recently active first."""
    stmt = _listed(principal)
    if status is not None:
        stmt = stmt.where(HelpdeskRequest.status == status)
    if team is not None:
        stmt = stmt.where(HelpdeskRequest.team == team)
    page = await keyset_page(
        session,
        stmt,
        [desc(HelpdeskRequest.updated_at), desc(HelpdeskRequest.id)],
        cursor=cursor,
        limit=limit,
        values=lambda row: [row[0].updated_at, row[0].id],
    )
    return page.map(lambda row: read_model(row[0], row[1], now))


async def queue(
    session: AsyncSession,
    principal: Principal,
    *,
    team: Team | None,
    now: dt.datetime,
    cursor: str | None,
    limit: int,
) -> Page[HelpdeskRequestRead]:
    """What waits for the caller's teams (status open), the soonest expected answer first."""
    if team is not None and team not in staffed_teams(principal):
        raise Forbidden(f"the {team} queue is for its own team's staff")
    stmt = _listed(principal).where(HelpdeskRequest.status == RequestStatus.OPEN)
    if team is not None:
        stmt = stmt.where(HelpdeskRequest.team == team)
    page = await keyset_page(
        session,
        stmt,
        [HelpdeskRequest.expected_answer_by, HelpdeskRequest.id],
        cursor=cursor,
        limit=limit,
        values=lambda row: [row[0].expected_answer_by, row[0].id],
    )
    return page.map(lambda row: read_model(row[0], row[1], now))


async def reply(
    session: AsyncSession,
    principal: Principal,
    request_id: str,
    data: MessageCreate,
    *,
    now: dt.datetime,
    within: dt.timedelta,
) -> HelpdeskRequestDetail:
    """A reply in the thread: staff's waits for the researcher; the researcher's waits for
    staff again (reopening an answered or resolved request)."""
    request, _ = await visible_request(session, principal, request_id, for_update=True)
    author = acting_as(principal, request)
    fields = _fields(request, now)
    if author is Author.STAFF:
        request.status = rules.transition(request.status, RequestAction.STAFF_REPLY)
        request.expected_answer_by = None
        request.first_answered_at = request.first_answered_at or now
        event: Contract = contracts.HelpdeskStaffReplied(**fields)
    else:
        expected = rules.expected_after_researcher_reply(
            request.status, request.expected_answer_by, now, within
        )
        request.status = rules.transition(request.status, RequestAction.RESEARCHER_REPLY)
        request.expected_answer_by = expected
        request.resolved_at = request.resolved_by = None
        event = contracts.HelpdeskResearcherReplied(**fields, expected_answer_by=expected)
    request.updated_at = now
    session.add(_message(request, author, principal.actor_id, data.body, now))
    await session.flush()
    await publish(session, event, subject=request.id)
    return await read_request(session, principal, request.id, now=now)


async def add_note(
    session: AsyncSession,
    principal: Principal,
    request_id: str,
    data: MessageCreate,
    *,
    now: dt.datetime,
) -> HelpdeskRequestDetail:
    """Staff of the request's team note something for each other: the researcher never
    sees it, and nobody is told."""
    request, _ = await visible_request(session, principal, request_id, for_update=True)
    if acting_as(principal, request) is not Author.STAFF:
        raise Forbidden("internal notes are for staff of the request's team")
    session.add(_message(request, Author.STAFF, principal.sub, data.body, now, internal=True))
    await session.flush()
    return await read_request(session, principal, request.id, now=now)


async def resolve(
    session: AsyncSession,
    principal: Principal,
    request_id: str,
    data: Resolution,
    *,
    now: dt.datetime,
) -> HelpdeskRequestDetail:
    """Staff of the request's team resolve it, with an optional last reply: who and when
    are kept on the request and in the audit log."""
    request, _ = await visible_request(session, principal, request_id, for_update=True)
    if acting_as(principal, request) is not Author.STAFF:
        raise Forbidden("requests are resolved by staff of the request's team")
    request.status = rules.transition(request.status, RequestAction.RESOLVE)
    if data.message:
        session.add(_message(request, Author.STAFF, principal.sub, data.message, now))
        request.first_answered_at = request.first_answered_at or now
    request.expected_answer_by = None
    request.resolved_by = principal.sub
    request.resolved_at = now
    request.updated_at = now
    await audit_log.append(
        session,
        actor=principal.sub,
        action="helpdesk.resolve",
        outcome="resolved",
        occurred_at=now,
        subject=("helpdesk_request", request.id),
        researcher_id=request.researcher_id,
        detail={"team": request.team, "with_reply": bool(data.message)},
    )
    await session.flush()
    await publish(
        session, contracts.HelpdeskRequestResolved(**_fields(request, now)), subject=request.id
    )
    return await read_request(session, principal, request.id, now=now)


async def close(
    session: AsyncSession,
    principal: Principal,
    request_id: str,
    data: Closing,
    *,
    now: dt.datetime,
) -> HelpdeskRequestDetail:
    """The researcher (help no longer needed) or staff of its team close a request for
    good; a reason, if given, joins the thread."""
    request, _ = await visible_request(session, principal, request_id, for_update=True)
    author = acting_as(principal, request)
    request.status = rules.transition(request.status, RequestAction.CLOSE)
    if data.reason:
        session.add(_message(request, author, principal.actor_id, data.reason, now))
    request.expected_answer_by = None
    request.closed_by = principal.actor_id
    request.closed_at = now
    request.updated_at = now
    await session.flush()
    return await read_request(session, principal, request.id, now=now)
