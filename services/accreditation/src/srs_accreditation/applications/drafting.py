"""The applicant's side before the panel: drafting, editing, withdrawing, listing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_accreditation import domain
from srs_accreditation.applications.visibility import (
    acts_as_partner,
    application_visible_to,
    own_application,
)
from srs_accreditation.domain import ApplicationAction, ApplicationStatus
from srs_accreditation.models import Application, Researcher
from srs_accreditation.researchers.visibility import own_researcher_id, visible_researcher
from srs_accreditation.schemas import ApplicationCreate, ApplicationUpdate
from srs_common.auth import Principal
from srs_common.errors import RuleViolation
from srs_common.ids import new_id
from srs_common.pagination import keyset_page


async def applicant_id(session: AsyncSession, principal: Principal, requested: str | None) -> str:
    """Whom an application is for: the researcher themself, or a researcher of the
    partner client's organisation (404 for anyone else's)."""
    if acts_as_partner(principal):
        if not requested:
            raise RuleViolation(
                "a partner client names the researcher_id it applies for",
                rule="researcher_id_required",
            )
        await visible_researcher(session, principal, requested)
        return requested
    own = own_researcher_id(principal)
    if requested and requested != own:
        raise RuleViolation("researchers apply for themselves only", rule="own_application")
    return own


async def create_application(
    session: AsyncSession, principal: Principal, data: ApplicationCreate
) -> Application:
    """A registered researcher drafts an application (or a partner client drafts one for a
    researcher of its organisation); if they already hold a current accreditation of that
    kind, its approval renews it."""
    researcher_id = await applicant_id(session, principal, data.researcher_id)
    if await session.get(Researcher, researcher_id) is None:
        raise RuleViolation(
            "register a researcher profile before applying", rule="profile_required"
        )
    application = Application(
        id=new_id("app"),
        researcher_id=researcher_id,
        kind=data.kind,
        status=ApplicationStatus.DRAFT,
        supervisor_id=data.supervisor_id,
        training_completed_on=data.training_completed_on,
        statement=data.statement,
    )
    session.add(application)
    await session.flush()
    return application


async def update_application(
    session: AsyncSession, principal: Principal, application_id: str, data: ApplicationUpdate
) -> Application:
    """The applicant edits a draft, or answers the panel's request for information."""
    application = await own_application(session, principal, application_id)
    domain.application_transition(application.status, ApplicationAction.EDIT)
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(application, field, value)
    await session.flush()
    return application


async def withdraw_application(
    session: AsyncSession, principal: Principal, application_id: str
) -> Application:
    """The applicant withdraws before a decision."""
    application = await own_application(session, principal, application_id)
    application.status = domain.application_transition(
        application.status, ApplicationAction.WITHDRAW
    )
    await session.flush()
    return application


async def list_applications(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Application], str | None]:
    """Researchers list their own; the panel the submitted ones; a partner its
    organisation's researchers'; support all."""
    stmt = select(Application).where(application_visible_to(principal))
    if status:
        stmt = stmt.where(Application.status == status)
    page = await keyset_page(
        session, stmt, [Application.created_at, Application.id], cursor=cursor, limit=limit
    )
    return page.items, page.next
