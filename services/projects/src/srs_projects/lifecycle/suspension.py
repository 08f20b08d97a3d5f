"""Suspension and resumption: by service staff, and by the service itself when a lead's
accreditation is revoked (the handover to a new lead ends it)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.auth import Principal
from srs_common.contracts.projects import ProjectResumed, ProjectSuspended
from srs_common.db import utcnow
from srs_common.errors import RuleViolation
from srs_common.events.outbox import publish
from srs_projects import domain
from srs_projects.decisions import record_decision
from srs_projects.domain import ProjectAction, ProjectStatus, SuspensionReason
from srs_projects.models import Project
from srs_projects.visibility import visible_project

# Who the decision log names when the service itself acts on another service's event.
SYSTEM = "srs-projects"
LEAD_REVOKED_REASON = (
    "the lead researcher's accreditation was revoked; the "
    "project is suspended until support names a new accredited lead"
)
# Suspension by revocation applies to projects the panel approved and that still run.
_SUSPENDABLE = (ProjectStatus.APPROVED, ProjectStatus.ACTIVE, ProjectStatus.OVERDUE)


async def suspend(
    session: AsyncSession,
    project: Project,
    why: SuspensionReason,
    *,
    actor: str,
    reason: str,
    now: dt.datetime,
) -> None:
    """Suspend the project (the caller has locked it): the decision is logged and
    ``ProjectSuspended`` tells other services to disable access."""
    project.status = domain.transition(project.status, ProjectAction.SUSPEND)
    project.suspension_reason = why
    await record_decision(
        session, project.id, ProjectAction.SUSPEND, actor=actor, reason=reason, at=now
    )
    await publish(
        session,
        ProjectSuspended(
            project_id=project.id,
            organisation_id=project.organisation_id,
            reason=reason,
            occurred_at=now,
            cause=why.value,
            lead_researcher_id=project.lead_researcher_id,
        ),
        subject=project.id,
    )


async def resume(
    session: AsyncSession, project: Project, *, actor: str, reason: str, now: dt.datetime
) -> None:
    """End the suspension (the caller has locked the project and checked why it was
    suspended): the decision is logged and ``ProjectResumed`` restores access."""
    project.status = domain.resume(project.status, project.activated_at is not None)
    project.suspension_reason = None
    await record_decision(
        session, project.id, ProjectAction.RESUME, actor=actor, reason=reason, at=now
    )
    await publish(
        session,
        ProjectResumed(
            project_id=project.id, organisation_id=project.organisation_id, occurred_at=now
        ),
        subject=project.id,
    )


async def suspend_project(
    session: AsyncSession, principal: Principal, project_id: str, reason: str
) -> Project:
    """Service staff suspend an active project: no access until resumed."""
    project = await visible_project(session, principal, project_id, for_update=True)
    await suspend(
        session,
        project,
        SuspensionReason.STAFF,
        actor=principal.actor_id,
        reason=reason,
        now=utcnow(),
    )
    await session.flush()
    return project


async def resume_project(
    session: AsyncSession, principal: Principal, project_id: str, reason: str
) -> Project:
    """Service staff resume a project they suspended (a revoked lead's project resumes
    with the handover to a new lead; an overdue one with an extension)."""
    project = await visible_project(session, principal, project_id, for_update=True)
    if project.suspension_reason == domain.SuspensionReason.LEAD_REVOKED:
        raise RuleViolation(
            "the lead researcher's accreditation was revoked: name a new lead "
            "(POST /v1/projects/{project_id}/lead) to resume the project",
            rule="new_lead_required",
        )
    if project.suspension_reason == domain.SuspensionReason.OVERDUE:
        raise RuleViolation(
            "the project is past its completion date: an approved extension "
            "or completion ends the suspension",
            rule="extension_required",
        )
    await resume(session, project, actor=principal.actor_id, reason=reason, now=utcnow())
    await session.flush()
    return project


async def suspend_projects_led_by(
    session: AsyncSession, researcher_id: str, now: dt.datetime
) -> list[str]:
    """Suspend every approved, active or overdue project the revoked researcher leads;
    returns them. Safe to repeat: a suspended project is left as it is."""
    projects = (
        (
            await session.execute(
                select(Project)
                .where(
                    Project.lead_researcher_id == researcher_id,
                    Project.status.in_([s.value for s in _SUSPENDABLE]),
                )
                .order_by(Project.id)
                .with_for_update()
            )
        )
        .scalars()
        .all()
    )
    for project in projects:
        await suspend(
            session,
            project,
            SuspensionReason.LEAD_REVOKED,
            actor=SYSTEM,
            reason=LEAD_REVOKED_REASON,
            now=now,
        )
    await session.flush()
    return [p.id for p in projects]
