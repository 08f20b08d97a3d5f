"""A project as its readers see it: one, with members and decisions, or a page of them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.auth import Principal
from srs_common.concurrency import Preconditions
from srs_common.pagination import Page, keyset_page
from srs_projects import decisions, domain
from srs_projects.members import names
from srs_projects.models import DatasetRequirementTask, Project, ProjectMember
from srs_projects.requirements.service import requirements_of
from srs_projects.schemas import ProjectRead, ProjectSummary
from srs_projects.visibility import project_version, project_visible_to


async def read(
    session: AsyncSession,
    project: Project,
    *,
    history: list[dict[str, Any]] | None = None,
    members: list[dict[str, Any]] | None = None,
    requirements: list[DatasetRequirementTask] | None = None,
) -> ProjectRead:
    """The project as its page shows it; ``history`` (its decisions), ``members`` (named)
    and ``requirements``: when the write just before read them and left them as they are."""
    if history is None:
        history = await decisions.decisions_of(session, project.id)
    linkage: dict[str, Any] | None = None
    if project.linkage:
        linkage = dict(project.linkage)
        if linkage.get("idbr"):
            linkage["idbr_performed_by"] = domain.idbr_performed_by(linkage["idbr"]["method"])
    data = {c.key: getattr(project, c.key) for c in Project.__table__.columns}
    case_study = None
    if project.case_study:
        case_study = {
            "status": project.case_study,
            "reason": project.case_study_reason,
            "nominated_by": project.case_study_nominated_by,
            "nominated_at": project.case_study_nominated_at,
            "answered_at": project.case_study_answered_at,
        }
    return ProjectRead.model_validate(
        {
            **data,
            "linkage": linkage,
            "members": members
            if members is not None
            else await names.named_members_of(session, project.id),
            "decisions": history,
            "case_study": case_study,
            "dataset_requirements": requirements
            if requirements is not None
            else await requirements_of(session, project.id),
        }
    )


async def tagged(
    session: AsyncSession,
    project: Project,
    versioned: Preconditions,
    *,
    members: list[dict[str, Any]] | None = None,
    requirements: list[DatasetRequirementTask] | None = None,
) -> ProjectRead:
    """After a panel or staff write: the new ``ETag`` set and the project as its readers
    see it, its decisions read once for both (``members`` and ``requirements`` as
    :func:`read` takes them)."""
    version = await project_version(session, project)
    await versioned.tag(session, *version)
    return await read(
        session, project, history=version[1], members=members, requirements=requirements
    )


async def list_projects(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    limit: int,
    cursor: str | None,
    q: str | None = None,
    member: str | None = None,
) -> Page[ProjectSummary]:
    """Projects the caller may see, oldest first, filtered by status, by ``q`` (part of the
    id or title, any case) and by ``member`` (a researcher named on the project)."""
    stmt = select(Project).where(project_visible_to(principal))
    if status:
        stmt = stmt.where(Project.status == status)
    if q:
        needle = q.lower()
        stmt = stmt.where(
            func.lower(Project.id).contains(needle, autoescape=True)
            | func.lower(Project.title).contains(needle, autoescape=True)
        )
    if member:
        stmt = stmt.where(
            Project.id.in_(
                select(ProjectMember.project_id).where(ProjectMember.researcher_id == member)
            )
        )
    page = await keyset_page(
        session, stmt, [Project.created_at, Project.id], cursor=cursor, limit=limit
    )
    leads = await names.researcher_names(session, [p.lead_researcher_id for p in page.items])
    return page.map(
        lambda p: ProjectSummary.model_validate(p).model_copy(
            update={"lead_researcher_name": leads.get(p.lead_researcher_id)}
        )
    )
