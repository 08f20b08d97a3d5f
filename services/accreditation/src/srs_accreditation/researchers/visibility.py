"""Who may see a researcher's profile: one rule for reading one and for listing."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from srs_accreditation.domain import ApplicationStatus
from srs_accreditation.models import Application, Researcher
from srs_common.auth import Principal
from srs_common.errors import Forbidden, NotFound


def own_researcher_id(principal: Principal) -> str:
    if not principal.researcher_id:
        raise Forbidden("the token carries no researcher_id")
    return principal.researcher_id


def researcher_visible_to(principal: Principal) -> ColumnElement[bool]:
    """Which profiles the caller may see (read one or list): support every one, a partner
    client its organisation's researchers, a researcher themself, the panel everyone who
    has put an application to it (it weighs their qualifications, and a supervisor's)."""
    if principal.has("support"):
        return true()
    seen: list[ColumnElement[bool]] = []
    if principal.has("panel"):
        seen.append(
            Researcher.id.in_(
                select(Application.researcher_id).where(
                    Application.status != ApplicationStatus.DRAFT
                )
            )
        )
    if principal.has("partner") and principal.org:
        seen.append(Researcher.organisation_id == principal.org)
    if principal.researcher_id is not None:
        seen.append(Researcher.id == principal.researcher_id)
    return or_(false(), *seen)


async def visible_researcher(
    session: AsyncSession, principal: Principal, researcher_id: str
) -> Researcher:
    """The profile if the caller may see it; 404 otherwise (existence never leaks)."""
    stmt = select(Researcher).where(
        Researcher.id == researcher_id, researcher_visible_to(principal)
    )
    researcher = (await session.execute(stmt)).scalar_one_or_none()
    if researcher is None:
        raise NotFound(f"researcher {researcher_id} not found")
    return researcher
