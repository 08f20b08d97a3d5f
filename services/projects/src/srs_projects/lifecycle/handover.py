"""Support hands a running project over to a new, fully accredited lead."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.auth import Principal
from srs_common.contracts.projects import (
    ProjectLeadChanged,
    ProjectMemberAdded,
    ProjectMemberRemoved,
)
from srs_common.db import utcnow
from srs_common.errors import RuleViolation
from srs_common.events.outbox import publish
from srs_projects import domain
from srs_projects.decisions import record_decision
from srs_projects.domain import ProjectStatus, Role, SuspensionReason
from srs_projects.lifecycle import suspension
from srs_projects.lifecycle.schemas import LeadHandover
from srs_projects.members import researchers, roster, standing
from srs_projects.models import Project, ProjectMember


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
        await researchers.accreditation_of(session, new_lead, now.date()),
        now.date(),
    )
    member = await session.get(ProjectMember, (project.id, new_lead), with_for_update=True)
    if member is None:
        member = ProjectMember(project_id=project.id, researcher_id=new_lead)
        session.add(member)
    member.role, member.active, member.inactive_reason = Role.LEAD.value, True, None
    member.supervisor_id = None
    old = await session.get(ProjectMember, (project.id, previous), with_for_update=True)
    if old is not None:
        await session.delete(old)
    # Provisional researchers the previous lead supervised work under the new lead, who is
    # fully accredited; those inactive for want of a supervisor are active again.
    for supervisee in await roster.members_of(session, project.id):
        if supervisee.supervisor_id != previous:
            continue
        supervisee.supervisor_id = new_lead
        own = await researchers.accreditation_of(session, supervisee.researcher_id, now.date())
        if (
            not supervisee.active
            and supervisee.inactive_reason == standing.SUPERVISOR_INACTIVE
            and own is not None
            and own.is_current(now.date())
        ):
            await standing.set_active(session, project, supervisee, now)
    project.lead_researcher_id = new_lead
    project.organisation_id = (
        await researchers.organisation_of(session, new_lead) or project.organisation_id
    )
    await record_decision(
        session,
        project.id,
        "hand_over",
        actor=principal.actor_id,
        reason=data.reason,
        at=now,
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
                role=Role.LEAD.value,
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
            role=Role.LEAD.value,
            occurred_at=now,
        ),
        subject=project.id,
    )
    if (
        project.status == ProjectStatus.SUSPENDED
        and project.suspension_reason == SuspensionReason.LEAD_REVOKED
    ):
        await suspension.resume(
            session,
            project,
            actor=principal.actor_id,
            reason="a new accredited lead was named",
            now=now,
        )
    await session.flush()
    return project
