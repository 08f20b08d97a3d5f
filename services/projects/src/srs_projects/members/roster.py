"""Who is named on a project and in which role: the role rules applied to each member,
and members added and removed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.contracts.projects import ProjectMemberAdded, ProjectMemberRemoved, ProjectRole
from srs_common.errors import Conflict, RuleViolation
from srs_common.events.outbox import publish
from srs_projects import domain
from srs_projects.members.researchers import accreditation_of
from srs_projects.models import Project, ProjectMember


async def members_of(session: AsyncSession, project_id: str) -> list[ProjectMember]:
    return list(
        (
            await session.execute(
                select(ProjectMember)
                .where(ProjectMember.project_id == project_id)
                .order_by(ProjectMember.researcher_id)
            )
        )
        .scalars()
        .all()
    )


async def check_eligible(
    session: AsyncSession,
    project_id: str,
    researcher_id: str,
    role: str,
    today: dt.date,
    *,
    name: str | None = None,
    supervisor_id: str | None = None,
) -> None:
    """Apply the role rules to one (would-be) member, reading the accreditation model."""
    supervisor_role = supervisor_accreditation = None
    if supervisor_id is not None:
        supervisor = await session.get(ProjectMember, (project_id, supervisor_id))
        if supervisor is not None and supervisor.active:
            supervisor_role = supervisor.role
            supervisor_accreditation = await accreditation_of(session, supervisor_id, today)
    domain.check_member(
        researcher_id,
        role,
        await accreditation_of(session, researcher_id, today),
        today,
        name=name,
        supervisor_id=supervisor_id,
        supervisor_role=supervisor_role,
        supervisor_accreditation=supervisor_accreditation,
    )


async def check_all_members(session: AsyncSession, project: Project, today: dt.date) -> None:
    """Everyone named still meets the role rules (checked again on submission)."""
    for member in await members_of(session, project.id):
        await check_eligible(
            session,
            project.id,
            member.researcher_id,
            member.role,
            today,
            name=member.name,
            supervisor_id=member.supervisor_id,
        )


async def add_member(
    session: AsyncSession,
    project: Project,
    *,
    researcher_id: str,
    role: ProjectRole,
    name: str | None,
    supervisor_id: str | None,
    now: dt.datetime,
) -> ProjectMember:
    """Name a member on a project (the caller has locked the project row)."""
    domain.require_status(project.status, domain.MEMBERSHIP_OPEN, "add a member to")
    if await session.get(ProjectMember, (project.id, researcher_id)) is not None:
        raise Conflict(f"{researcher_id} is already a member of this project")
    await check_eligible(
        session, project.id, researcher_id, role, now.date(), name=name, supervisor_id=supervisor_id
    )
    member = ProjectMember(
        project_id=project.id,
        researcher_id=researcher_id,
        role=role,
        name=name,
        supervisor_id=supervisor_id,
        active=True,
    )
    session.add(member)
    if project.status in domain.RUNNING:
        await publish(
            session,
            ProjectMemberAdded(
                project_id=project.id,
                organisation_id=project.organisation_id,
                researcher_id=researcher_id,
                role=role,
                occurred_at=now,
            ),
            subject=project.id,
        )
    await session.flush()
    return member


async def remove_member(
    session: AsyncSession, project: Project, researcher_id: str, now: dt.datetime
) -> None:
    domain.require_status(project.status, domain.MEMBERSHIP_OPEN, "remove a member from")
    member = await session.get(ProjectMember, (project.id, researcher_id))
    if member is None:
        raise RuleViolation(f"{researcher_id} is not a member of this project", rule="not_a_member")
    if member.role == domain.Role.LEAD.value:
        raise RuleViolation("the lead researcher cannot be removed", rule="lead_stays")
    supervised = [
        m.researcher_id
        for m in await members_of(session, project.id)
        if m.supervisor_id == researcher_id
    ]
    if supervised:
        raise RuleViolation(
            f"{researcher_id} supervises {', '.join(supervised)}; name another supervisor first",
            rule="supervisor_in_use",
        )
    await session.delete(member)
    if project.status in domain.RUNNING:
        await publish(
            session,
            ProjectMemberRemoved(
                project_id=project.id,
                organisation_id=project.organisation_id,
                researcher_id=researcher_id,
                role=member.role,
                occurred_at=now,
            ),
            subject=project.id,
        )
    await session.flush()
