"""Who may see a helpdesk request and which messages of its thread: one rule for reading
one and for listing."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_accreditation.helpdesk.rules import TEAM_ROLE, Author, Team
from srs_accreditation.models import HelpdeskMessage, HelpdeskRequest, Researcher
from srs_common.auth import Principal
from srs_common.errors import NotFound


def staffed_teams(principal: Principal) -> list[Team]:
    """The teams whose queue the caller works: support staff the helpdesk's, checkers the
    Statistical Support Team's."""
    return [team for team, role in TEAM_ROLE.items() if principal.has(role)]


def request_visible_to(principal: Principal) -> ColumnElement[bool]:
    """Which requests the caller may see (read one or list): a researcher their own, staff
    those of the teams they work in (a checker no general request, support no output
    question)."""
    seen: list[ColumnElement[bool]] = []
    if principal.researcher_id is not None:
        seen.append(HelpdeskRequest.researcher_id == principal.researcher_id)
    teams = staffed_teams(principal)
    if teams:
        seen.append(HelpdeskRequest.team.in_(teams))
    return or_(false(), *seen)


def message_visible_to(principal: Principal) -> ColumnElement[bool]:
    """Which messages of a visible request's thread the caller reads: internal notes only
    staff of the request's team (never its researcher)."""
    teams = staffed_teams(principal)
    shared = HelpdeskMessage.internal == false()
    return or_(shared, HelpdeskRequest.team.in_(teams)) if teams else shared


async def visible_request(
    session: AsyncSession, principal: Principal, request_id: str, *, for_update: bool = False
) -> tuple[HelpdeskRequest, str]:
    """The request and its researcher's name if the caller may see it; 404 otherwise."""
    stmt = (
        select(HelpdeskRequest, Researcher.name)
        .join(Researcher, Researcher.id == HelpdeskRequest.researcher_id)
        .where(HelpdeskRequest.id == request_id, request_visible_to(principal))
    )
    if for_update:
        stmt = stmt.with_for_update(of=HelpdeskRequest)
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        raise NotFound(f"helpdesk request {request_id} not found")
    return row[0], row[1]


async def visible_messages(
    session: AsyncSession, principal: Principal, request_id: str
) -> list[HelpdeskMessage]:
    """The thread as the caller may read it, oldest first."""
    stmt = (
        select(HelpdeskMessage)
        .join(HelpdeskRequest, HelpdeskRequest.id == HelpdeskMessage.request_id)
        .where(
            HelpdeskMessage.request_id == request_id,
            request_visible_to(principal),
            message_visible_to(principal),
        )
        .order_by(HelpdeskMessage.id)
    )
    return list((await session.execute(stmt)).scalars())


def acting_as(principal: Principal, request: HelpdeskRequest) -> Author:
    """The researcher whose request it is, or staff of its team (404 for anyone else)."""
    if principal.researcher_id is not None and principal.researcher_id == request.researcher_id:
        return Author.RESEARCHER
    if Team(request.team) in staffed_teams(principal):
        return Author.STAFF
    raise NotFound(f"helpdesk request {request.id} not found")
