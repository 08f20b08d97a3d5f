"""The consumed contracts and their handlers; each is safe to run twice.

Read models: projects (title, status, priority, organisation, datasets, members and their
roles) from ``srs.projects`` and ``srs.access``; dataset disclosure thresholds from the
catalogue; researchers' names from ``srs.accreditation`` (who made a request, by name).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_clearance.destruction.service import require_destruction
from srs_clearance.models import DatasetView, ProjectMemberView, ProjectView, ResearcherView
from srs_clearance.settings import ClearanceSettings
from srs_common import context
from srs_common.contracts import access, accreditation, projects
from srs_common.events.envelope import Event
from srs_common.events.handlers import Handlers

# Later stages never go back to earlier ones, whatever order the topics deliver in.
_STAGE = {"approved": 1, "active": 2, "suspended": 2, "completed": 3}

HANDLERS = Handlers()


def settings_of(session: AsyncSession) -> ClearanceSettings:
    # Every service session carries its settings (srs_common.db.Database); none is a
    # wiring mistake, never a reason to read defaults.
    return context.settings_of(session, ClearanceSettings)


async def _project(
    session: AsyncSession, project_id: str, organisation_id: str | None = None
) -> ProjectView:
    return (await _Rows.read(session, [project_id])).project(project_id, organisation_id)


def _advance(project: ProjectView, status: str) -> None:
    if _STAGE[status] >= _STAGE.get(project.status, 0):
        project.status = status


async def _member(
    session: AsyncSession, project_id: str, researcher_id: str, role: str, active: bool
) -> None:
    member = await session.get(ProjectMemberView, (project_id, researcher_id))
    if member is None:
        session.add(
            ProjectMemberView(
                project_id=project_id, researcher_id=researcher_id, role=role, active=active
            )
        )
    else:
        member.role = role
        member.active = active


class _Rows:
    """A run's project rows (locked) and member rows, read in two statements, so that a
    burst of project events costs a few statements, not a few per event."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.projects: dict[str, ProjectView] = {}
        self.members: dict[tuple[str, str], ProjectMemberView] = {}

    @classmethod
    async def read(
        cls, session: AsyncSession, project_ids: list[str], *, members: bool = False
    ) -> _Rows:
        rows = cls(session)
        ids = sorted(set(project_ids))  # locked in one order: no deadlock with a replica
        found = await session.execute(
            select(ProjectView)
            .where(ProjectView.id.in_(ids))
            .order_by(ProjectView.id)
            .with_for_update()
        )
        rows.projects = {p.id: p for p in found.scalars()}
        if members:
            found_members = await session.execute(
                select(ProjectMemberView).where(ProjectMemberView.project_id.in_(ids))
            )
            rows.members = {(m.project_id, m.researcher_id): m for m in found_members.scalars()}
        return rows

    def project(self, project_id: str, organisation_id: str | None = None) -> ProjectView:
        project = self.projects.get(project_id)
        if project is None:
            project = ProjectView(
                id=project_id,
                organisation_id=organisation_id,
                status="approved",
                priority=False,
                dataset_ids=[],
            )
            self.session.add(project)
            self.projects[project_id] = project
        elif organisation_id and not project.organisation_id:
            project.organisation_id = organisation_id
        return project

    def member(self, project_id: str, researcher_id: str, role: str, active: bool) -> None:
        member = self.members.get((project_id, researcher_id))
        if member is None:
            member = ProjectMemberView(
                project_id=project_id, researcher_id=researcher_id, role=role, active=active
            )
            self.session.add(member)
            self.members[(project_id, researcher_id)] = member
        else:
            member.role = role
            member.active = active


def _approved(rows: _Rows, payload: projects.ProjectApproved) -> None:
    project = rows.project(payload.project_id, payload.organisation_id)
    project.title = payload.title
    project.priority = payload.priority
    project.dataset_ids = list(payload.dataset_ids)
    _advance(project, "approved")
    for member in payload.members:
        rows.member(payload.project_id, member.researcher_id, member.role, True)


def _activated(rows: _Rows, payload: projects.ProjectActivated) -> None:
    project = rows.project(payload.project_id, payload.organisation_id)
    project.dataset_ids = list(payload.dataset_ids)
    if project.status == "approved":
        project.status = "active"


def _provisioned(rows: _Rows, payload: access.ProjectSpaceProvisioned) -> None:
    project = rows.project(payload.project_id)
    project.space_id = payload.space_id
    if not project.dataset_ids:
        project.dataset_ids = list(payload.dataset_ids)
    if project.status == "approved":
        project.status = "active"


async def _projects(session: AsyncSession, payloads: list[Any]) -> _Rows:
    return await _Rows.read(session, [p.project_id for p in payloads])


async def _projects_and_members(session: AsyncSession, payloads: list[Any]) -> _Rows:
    return await _Rows.read(session, [p.project_id for p in payloads], members=True)


HANDLERS.on_rows(projects.ProjectApproved, _projects_and_members, _approved)
HANDLERS.on_rows(projects.ProjectActivated, _projects, _activated)
HANDLERS.on_rows(access.ProjectSpaceProvisioned, _projects, _provisioned)


@HANDLERS.on(access.ProjectSpaceArchived)
async def on_space_archived(
    session: AsyncSession, event: Event, payload: access.ProjectSpaceArchived
) -> None:
    project = await _project(session, payload.project_id)
    project.space_id = payload.space_id
    await session.flush()


@HANDLERS.on(projects.ProjectMemberAdded)
async def on_member_added(
    session: AsyncSession, event: Event, payload: projects.ProjectMemberAdded
) -> None:
    await _project(session, payload.project_id, payload.organisation_id)
    await _member(session, payload.project_id, payload.researcher_id, payload.role, True)
    await session.flush()


@HANDLERS.on(projects.ProjectMemberRemoved)
async def on_member_removed(
    session: AsyncSession, event: Event, payload: projects.ProjectMemberRemoved
) -> None:
    await session.execute(
        delete(ProjectMemberView).where(
            ProjectMemberView.project_id == payload.project_id,
            ProjectMemberView.researcher_id == payload.researcher_id,
        )
    )


@HANDLERS.on(projects.ProjectMemberDeactivated, projects.ProjectMemberReactivated)
async def on_member_standing(
    session: AsyncSession,
    event: Event,
    payload: projects.ProjectMemberDeactivated | projects.ProjectMemberReactivated,
) -> None:
    """A member's accreditation lapsed (inactive) or is current again (active)."""
    active = isinstance(payload, projects.ProjectMemberReactivated)
    await _member(session, payload.project_id, payload.researcher_id, payload.role, active)
    await session.flush()


@HANDLERS.on(projects.ProjectSuspended)
async def on_project_suspended(
    session: AsyncSession, event: Event, payload: projects.ProjectSuspended
) -> None:
    project = await _project(session, payload.project_id, payload.organisation_id)
    if project.status != "completed":
        project.status = "suspended"
    await session.flush()


@HANDLERS.on(projects.ProjectResumed)
async def on_project_resumed(
    session: AsyncSession, event: Event, payload: projects.ProjectResumed
) -> None:
    project = await _project(session, payload.project_id, payload.organisation_id)
    if project.status == "suspended":
        project.status = "active"
    await session.flush()


@HANDLERS.on(projects.ProjectCompleted)
async def on_project_completed(
    session: AsyncSession, event: Event, payload: projects.ProjectCompleted
) -> None:
    """Completion: pre-publication outputs cleared for the project must now be destroyed."""
    project = await _project(session, payload.project_id, payload.organisation_id)
    _advance(project, "completed")
    project.completed_at = project.completed_at or payload.occurred_at
    await session.flush()
    await require_destruction(
        session,
        payload.project_id,
        project.completed_at,
        settings_of(session).destruction_policy_days,
    )


@HANDLERS.on(access.DatasetCatalogued)
async def on_dataset_catalogued(
    session: AsyncSession, event: Event, payload: access.DatasetCatalogued
) -> None:
    dataset = await session.get(DatasetView, payload.dataset_id)
    if dataset is None:
        session.add(
            DatasetView(
                id=payload.dataset_id,
                disclosure_threshold=payload.disclosure_threshold,
                operational_id_columns=list(payload.operational_id_columns),
            )
        )
    else:
        dataset.disclosure_threshold = payload.disclosure_threshold
        dataset.operational_id_columns = list(payload.operational_id_columns)
    await session.flush()


@HANDLERS.on(accreditation.ResearcherRegistered, accreditation.ResearcherUpdated)
async def on_researcher_changed(
    session: AsyncSession,
    event: Event,
    payload: accreditation.ResearcherRegistered | accreditation.ResearcherUpdated,
) -> None:
    """The name on the researcher record, shown for who made a request; an older event
    arriving late changes nothing."""
    researcher = await session.get(ResearcherView, payload.researcher_id, with_for_update=True)
    if researcher is None:
        session.add(
            ResearcherView(
                researcher_id=payload.researcher_id, name=payload.name, as_of=payload.occurred_at
            )
        )
    elif researcher.as_of <= payload.occurred_at:
        researcher.name = payload.name
        researcher.as_of = payload.occurred_at
    await session.flush()


CONSUMED_TOPICS = HANDLERS.topics
