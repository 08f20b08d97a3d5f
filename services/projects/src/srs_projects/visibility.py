"""Who sees which project: one query used by "read one" and by "list", and the lead's
own actions (others get 404, members who don't lead 403)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.auth import Principal
from srs_common.concurrency import Preconditions
from srs_common.errors import Forbidden, NotFound
from srs_projects.decisions import decisions_of
from srs_projects.domain import ProjectStatus
from srs_projects.models import Project, ProjectMember

#: ``session.info`` key of a project :func:`lock_current_project` locked in this request.
_LOCKED = "projects_locked_project"


def _not_found(project_id: str) -> NotFound:
    return NotFound(f"project {project_id} not found")


def project_visible_to(principal: Principal) -> ColumnElement[bool]:
    """Projects the caller may see: researchers their own, the panel anything submitted,
    a partner its organisation's, support everything; nobody else anything."""
    if principal.has("support"):
        return true()
    clauses: list[ColumnElement[bool]] = []
    if principal.has("panel"):
        clauses.append(Project.status != ProjectStatus.DRAFT)
    if principal.has("partner") and principal.org:
        clauses.append(Project.organisation_id == principal.org)
    if principal.has("researcher"):
        clauses.append(
            Project.id.in_(
                select(ProjectMember.project_id).where(
                    ProjectMember.researcher_id == principal.actor_id
                )
            )
        )
    return or_(*clauses) if clauses else false()


async def visible_project(
    session: AsyncSession, principal: Principal, project_id: str, *, for_update: bool = False
) -> Project:
    """The project if the caller may see it; 404 otherwise (existence never leaks)."""
    locked: Project | None = session.info.get((_LOCKED, project_id)) if for_update else None
    if locked is not None:
        return locked  # this request locked it already, through the same visibility rule
    stmt = select(Project).where(Project.id == project_id, project_visible_to(principal))
    if for_update:
        stmt = stmt.with_for_update()
    project = (await session.execute(stmt)).scalar_one_or_none()
    if project is None:
        raise _not_found(project_id)
    return project


async def led_project(session: AsyncSession, principal: Principal, project_id: str) -> Project:
    """The project, locked, if the caller leads it (members who don't lead get 403)."""
    project = await visible_project(session, principal, project_id, for_update=True)
    if project.lead_researcher_id != principal.actor_id:
        raise Forbidden("only the lead researcher can do this")
    return project


async def lock_current_project(
    session: AsyncSession, principal: Principal, project_id: str, versioned: Preconditions
) -> None:
    """Lock the project (if the caller may see it) before a staff or panel write and refuse
    a stale ``If-Match`` with 412; a project the caller may not see stays a 404."""
    stmt = select(Project).where(Project.id == project_id, project_visible_to(principal))
    project = await versioned.lock(session, stmt)
    if project is not None:
        if versioned.conditional:  # else the version (its decisions) need not be read
            versioned.require(f"project {project_id}", *await project_version(session, project))
        session.info[(_LOCKED, project_id)] = project


async def project_version(
    session: AsyncSession, project: Project
) -> tuple[Project, list[dict[str, Any]]]:
    """What a project's ETag covers: its row and its decisions (kept in the audit log), so
    a panel decision that leaves the row as it was (priority withheld) still moves it."""
    return project, await decisions_of(session, project.id)
