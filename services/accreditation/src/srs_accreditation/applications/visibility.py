"""Who may see an application: one rule for reading one and for listing."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from srs_accreditation.domain import ApplicationStatus
from srs_accreditation.models import Application, Researcher
from srs_common.auth import Principal
from srs_common.errors import NotFound


async def visible_application(
    session: AsyncSession, principal: Principal, application_id: str, *, for_update: bool = False
) -> Application:
    """The application if the caller may see it (:func:`application_visible_to`); 404
    otherwise."""
    stmt = select(Application).where(
        Application.id == application_id, application_visible_to(principal)
    )
    if for_update:
        stmt = stmt.with_for_update()
    application = (await session.execute(stmt)).scalar_one_or_none()
    if application is None:
        raise NotFound(f"application {application_id} not found")
    return application


def application_visible_to(principal: Principal) -> ColumnElement[bool]:
    """Which applications the caller may see (read one or list): its applicant, support,
    the panel once submitted, a partner client its organisation's researchers'."""
    if principal.has("support"):
        return true()
    seen: list[ColumnElement[bool]] = []
    if principal.researcher_id is not None:
        seen.append(Application.researcher_id == principal.researcher_id)
    if principal.has("panel"):
        seen.append(Application.status != ApplicationStatus.DRAFT)
    if principal.has("partner") and principal.org:
        seen.append(
            Application.researcher_id.in_(
                select(Researcher.id).where(Researcher.organisation_id == principal.org)
            )
        )
    return or_(false(), *seen)


async def own_application(
    session: AsyncSession, principal: Principal, application_id: str
) -> Application:
    application = await visible_application(session, principal, application_id, for_update=True)
    if application.researcher_id != principal.researcher_id:
        raise NotFound(f"application {application_id} not found")
    return application


def acts_as_partner(principal: Principal) -> bool:
    return principal.has("partner") and not principal.has("researcher")
