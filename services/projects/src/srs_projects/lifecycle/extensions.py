"""Extensions: the lead asks for a later completion date, support decides; an approved
extension ends the overdue state."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.auth import Principal
from srs_common.contracts.projects import ProjectExtended
from srs_common.db import utcnow
from srs_common.errors import Conflict, IllegalTransition, NotFound
from srs_common.events.outbox import publish
from srs_common.ids import new_id
from srs_projects import decisions, domain
from srs_projects.domain import ProjectStatus
from srs_projects.lifecycle import suspension
from srs_projects.lifecycle.schemas import ExtensionCreate
from srs_projects.models import ExtensionRequest, Project
from srs_projects.visibility import led_project, visible_project


async def request_extension(
    session: AsyncSession, principal: Principal, project_id: str, data: ExtensionCreate
) -> ExtensionRequest:
    """The lead asks for a later completion date; support decides."""
    project = await led_project(session, principal, project_id)
    if not domain.overdue_ended(project.status, project.suspension_reason):
        domain.require_status(project.status, frozenset({ProjectStatus.ACTIVE}), "extend")
    domain.check_extension(project.expected_end_date, data.expected_end_date, utcnow().date())
    pending = (
        await session.execute(
            select(ExtensionRequest.id).where(
                ExtensionRequest.project_id == project.id, ExtensionRequest.status == "requested"
            )
        )
    ).first()
    if pending is not None:
        raise Conflict(f"extension {pending.id} is already awaiting a decision")
    request = ExtensionRequest(
        id=new_id("ext"),
        project_id=project.id,
        requested_end_date=data.expected_end_date,
        reason=data.reason,
        status="requested",
        requested_by=principal.actor_id,
        requested_at=utcnow(),
    )
    session.add(request)
    await session.flush()
    return request


async def decide_extension(
    session: AsyncSession,
    principal: Principal,
    project_id: str,
    extension_id: str,
    *,
    approve: bool,
) -> ExtensionRequest:
    """Support approves (the completion date moves; event) or refuses an extension."""
    project = await visible_project(session, principal, project_id, for_update=True)
    request = await session.get(ExtensionRequest, extension_id, with_for_update=True)
    if request is None or request.project_id != project.id:
        raise NotFound(f"extension {extension_id} not found")
    if request.status != "requested":
        raise IllegalTransition(
            "extension request", request.status, "approve" if approve else "refuse"
        )
    now = utcnow()
    request.status = "approved" if approve else "refused"
    request.decided_by = principal.sub
    request.decided_at = now
    await decisions.record_decision(
        session,
        project.id,
        "approve_extension" if approve else "refuse_extension",
        actor=principal.actor_id,
        reason=request.reason,
        at=now,
        extension_id=request.id,
        requested_end_date=request.requested_end_date.isoformat(),
    )
    if approve:
        was_overdue = domain.overdue_ended(project.status, project.suspension_reason)
        if not was_overdue:
            domain.require_status(project.status, frozenset({ProjectStatus.ACTIVE}), "extend")
        previous, project.expected_end_date = project.expected_end_date, request.requested_end_date
        await publish(
            session,
            ProjectExtended(
                project_id=project.id,
                organisation_id=project.organisation_id,
                previous_end_date=previous,
                expected_end_date=project.expected_end_date,
                occurred_at=now,
            ),
            subject=project.id,
        )
        if was_overdue:
            await _end_overdue(session, project, principal, now)
    await session.flush()
    return request


async def _end_overdue(
    session: AsyncSession, project: Project, principal: Principal, now: dt.datetime
) -> None:
    """An extension ends the overdue state; a project suspended for it resumes."""
    project.overdue_grace_ends_at = project.overdue_reminded_at = None
    if project.status == ProjectStatus.SUSPENDED:
        await suspension.resume(
            session, project, actor=principal.actor_id, reason="extension approved", now=now
        )
    else:
        project.status = ProjectStatus.ACTIVE


async def extensions_of(
    session: AsyncSession, principal: Principal, project_id: str
) -> list[ExtensionRequest]:
    await visible_project(session, principal, project_id)
    return list(
        (
            await session.execute(
                select(ExtensionRequest)
                .where(ExtensionRequest.project_id == project_id)
                .order_by(ExtensionRequest.requested_at)
            )
        )
        .scalars()
        .all()
    )
