"""Project use cases: load, apply domain rules, add outbox events, flush (never commit)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.auth import Principal
from srs_common.contracts import ProjectApproved, ProjectMember as MemberContract
from srs_common.db import utcnow
from srs_common.errors import NotFound
from srs_common.events.outbox import publish
from srs_common.ids import new_id
from srs_projects import domain
from srs_projects.models import Project, ProjectMember
from srs_projects.schemas import ProjectCreate, ProjectDecision


async def create_project(session: AsyncSession, principal: Principal, data: ProjectCreate) -> Project:
    """A researcher drafts a project application and leads it."""
    lead = principal.researcher_id or principal.sub
    project = Project(id=new_id("prj"), status=domain.ProjectStatus.DRAFT,
                      lead_researcher_id=lead, **data.model_dump())
    session.add(project)
    session.add(ProjectMember(project_id=project.id, researcher_id=lead, role="lead"))
    await session.flush()
    return project


async def visible_project(session: AsyncSession, principal: Principal, project_id: str,
                          *, for_update: bool = False) -> Project:
    """The project if the caller may see it; 404 otherwise (existence never leaks)."""
    stmt = select(Project).where(Project.id == project_id)
    if for_update:
        stmt = stmt.with_for_update()
    project = (await session.execute(stmt)).scalar_one_or_none()
    if project is None:
        raise NotFound(f"project {project_id} not found")
    if principal.has("support"):
        return project
    if principal.has("panel") and project.status != domain.ProjectStatus.DRAFT:
        return project
    if principal.has("partner") and principal.org == project.organisation_id:
        return project
    me = principal.researcher_id or principal.sub
    member = await session.get(ProjectMember, (project_id, me))
    if member is None:
        raise NotFound(f"project {project_id} not found")
    return project


async def submit_project(session: AsyncSession, principal: Principal, project_id: str) -> Project:
    project = await visible_project(session, principal, project_id, for_update=True)
    if project.lead_researcher_id != (principal.researcher_id or principal.sub):
        raise NotFound(f"project {project_id} not found")
    project.status = domain.transition(project.status, "submit")
    project.submitted_at = utcnow()
    await session.flush()
    return project


async def approve_project(session: AsyncSession, principal: Principal, project_id: str,
                          decision: ProjectDecision) -> Project:
    """The panel approves: one outbox event carries everything provisioning needs."""
    project = await visible_project(session, principal, project_id, for_update=True)
    project.status = domain.transition(project.status, "approve")
    project.approved_at = utcnow()
    project.conditions = decision.conditions
    members = (await session.execute(
        select(ProjectMember).where(ProjectMember.project_id == project.id)
        .order_by(ProjectMember.researcher_id))).scalars().all()
    await publish(session, ProjectApproved(
        project_id=project.id, title=project.title, organisation_id=project.organisation_id,
        legal_gateway=project.legal_gateway, dataset_ids=list(project.dataset_ids),
        members=[MemberContract(researcher_id=m.researcher_id, role=m.role) for m in members],
        expected_end_date=project.expected_end_date, priority=project.priority,
        conditions=project.conditions, approved_at=project.approved_at,
    ), subject=project.id)
    await session.flush()
    return project


async def activate_project(session: AsyncSession, project_id: str,
                           provisioned_at: dt.datetime) -> None:
    """The project space exists: the project becomes active (once)."""
    project = await session.get(Project, project_id, with_for_update=True)
    if project is None or project.status != domain.ProjectStatus.APPROVED:
        return  # unknown, or already active: a redelivery changes nothing
    project.status = domain.transition(project.status, "activate")
    project.activated_at = provisioned_at
    await session.flush()
