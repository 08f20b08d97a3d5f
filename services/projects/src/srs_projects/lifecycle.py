"""What happens to a running project when its lead is revoked: suspension, then the
handover to a new lead that support staff make."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.auth import Principal
from srs_common.contracts.projects import (
    ProjectLeadChanged,
    ProjectMemberAdded,
    ProjectMemberRemoved,
    ProjectResumed,
    ProjectSuspended,
)
from srs_common.db import utcnow
from srs_common.errors import RuleViolation
from srs_common.events.outbox import publish
from srs_projects import domain, members
from srs_projects.domain import ProjectStatus, Role, SuspensionReason
from srs_projects.models import Project, ProjectDecision, ProjectMember
from srs_projects.schemas import LeadHandover

# Who the decision log names when the service itself acts on another service's event.
SYSTEM = "srs-projects"
LEAD_REVOKED_REASON = (
    "lead_revoked: the lead researcher's accreditation was revoked; the "
    "project is suspended until support names a new accredited lead"
)
# Suspension by revocation applies to projects the panel approved and that still run.
_SUSPENDABLE = (ProjectStatus.APPROVED, ProjectStatus.ACTIVE, ProjectStatus.OVERDUE)


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
        project.status = domain.transition(project.status, "suspend")
        project.suspension_reason = SuspensionReason.LEAD_REVOKED
        session.add(
            ProjectDecision(
                project_id=project.id,
                action="suspend",
                decided_by=SYSTEM,
                reason=LEAD_REVOKED_REASON,
                decided_at=now,
            )
        )
        await publish(
            session,
            ProjectSuspended(
                project_id=project.id,
                organisation_id=project.organisation_id,
                reason=LEAD_REVOKED_REASON,
                occurred_at=now,
            ),
            subject=project.id,
        )
    await session.flush()
    return [p.id for p in projects]


async def hand_over(
    session: AsyncSession, project: Project, principal: Principal, data: LeadHandover
) -> Project:
    """Support names a new lead (the caller has locked the project row).

    The new lead must hold a current full accreditation; they join the project as lead
    (or their membership becomes the lead's), the previous lead leaves it, and the
    project's organisation becomes the new lead's. A project suspended because its lead
    was revoked resumes."""
    domain.require_status(project.status, domain.RUNNING, "hand over")
    new_lead, previous = data.researcher_id, project.lead_researcher_id
    if new_lead == previous:
        raise RuleViolation(f"{new_lead} already leads this project", rule="same_lead")
    now = utcnow()
    domain.check_member(
        new_lead,
        Role.LEAD,
        await members.accreditation_of(session, new_lead, now.date()),
        now.date(),
    )
    member = await session.get(ProjectMember, (project.id, new_lead), with_for_update=True)
    if member is None:
        member = ProjectMember(project_id=project.id, researcher_id=new_lead)
        session.add(member)
    member.role, member.active, member.inactive_reason = Role.LEAD, True, None
    member.supervisor_id = None
    old = await session.get(ProjectMember, (project.id, previous), with_for_update=True)
    if old is not None:
        await session.delete(old)
    # Provisional researchers the previous lead supervised work under the new lead, who is
    # fully accredited; those inactive for want of a supervisor are active again.
    for supervisee in await members.members_of(session, project.id):
        if supervisee.supervisor_id != previous:
            continue
        supervisee.supervisor_id = new_lead
        own = await members.accreditation_of(session, supervisee.researcher_id, now.date())
        if (
            not supervisee.active
            and supervisee.inactive_reason == members.SUPERVISOR_INACTIVE
            and own is not None
            and own.is_current(now.date())
        ):
            await members.set_active(session, project, supervisee, now)
    project.lead_researcher_id = new_lead
    project.organisation_id = (
        await members.organisation_of(session, new_lead) or project.organisation_id
    )
    session.add(
        ProjectDecision(
            project_id=project.id,
            action="hand_over",
            decided_by=principal.sub,
            reason=data.reason,
            decided_at=now,
        )
    )
    await publish(
        session,
        ProjectLeadChanged(
            project_id=project.id,
            organisation_id=project.organisation_id,
            previous_lead_researcher_id=previous,
            lead_researcher_id=new_lead,
            reason=data.reason,
            occurred_at=now,
        ),
        subject=project.id,
    )
    if old is not None:
        await publish(
            session,
            ProjectMemberRemoved(
                project_id=project.id,
                organisation_id=project.organisation_id,
                researcher_id=previous,
                role=Role.LEAD,
                reason="handed over to " + new_lead,
                occurred_at=now,
            ),
            subject=project.id,
        )
    await publish(
        session,
        ProjectMemberAdded(
            project_id=project.id,
            organisation_id=project.organisation_id,
            researcher_id=new_lead,
            role=Role.LEAD,
            occurred_at=now,
        ),
        subject=project.id,
    )
    if (
        project.status == ProjectStatus.SUSPENDED
        and project.suspension_reason == SuspensionReason.LEAD_REVOKED
    ):
        project.status = domain.resume(project.status, project.activated_at is not None)
        project.suspension_reason = None
        session.add(
            ProjectDecision(
                project_id=project.id,
                action="resume",
                decided_by=principal.sub,
                reason="a new accredited lead was named",
                decided_at=now,
            )
        )
        await publish(
            session,
            ProjectResumed(
                project_id=project.id, organisation_id=project.organisation_id, occurred_at=now
            ),
            subject=project.id,
        )
    await session.flush()
    return project
