"""Who may see an accreditation: whoever may see its researcher, and the panel."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from srs_accreditation.models import Accreditation, Researcher
from srs_accreditation.researchers.visibility import researcher_visible_to, visible_researcher
from srs_common.auth import Principal
from srs_common.errors import NotFound


def accreditation_visible_to(principal: Principal) -> ColumnElement[bool]:
    """Which accreditations the caller may see, on a join with their researcher: the panel
    every one (it weighs a supervisor's standing), anyone else those of the researchers
    they may see (:func:`researcher_visible_to`)."""
    if principal.has("panel"):
        return true()
    return researcher_visible_to(principal)


async def visible_accreditation(
    session: AsyncSession, principal: Principal, accreditation_id: str, *, for_update: bool = False
) -> tuple[Accreditation, Researcher]:
    """The accreditation and its researcher if the caller may see it; 404 otherwise."""
    stmt = (
        select(Accreditation, Researcher)
        .join(Researcher, Researcher.id == Accreditation.researcher_id)
        .where(Accreditation.id == accreditation_id, accreditation_visible_to(principal))
    )
    if for_update:
        stmt = stmt.with_for_update(of=Accreditation)
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        raise NotFound(f"accreditation {accreditation_id} not found")
    accreditation, researcher = row
    return accreditation, researcher


async def researcher_accreditations(
    session: AsyncSession, principal: Principal, researcher_id: str
) -> list[Accreditation]:
    await visible_researcher(session, principal, researcher_id)
    return list(
        (
            await session.execute(
                select(Accreditation)
                .where(Accreditation.researcher_id == researcher_id)
                .order_by(Accreditation.granted_at, Accreditation.id)
            )
        ).scalars()
    )
