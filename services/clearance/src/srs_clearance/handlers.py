"""Consumed event type -> handler; each is safe to run twice.

Read models: projects (status, priority, organisation, datasets, members and their roles)
from ``srs.projects`` and ``srs.access``; dataset disclosure thresholds from the catalogue.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from srs_clearance import service
from srs_clearance.models import DatasetView, ProjectMemberView, ProjectView
from srs_clearance.settings import ClearanceSettings
from srs_common.contracts import access, projects
from srs_common.events.consumer import Handler
from srs_common.events.envelope import Event

# Later stages never go back to earlier ones, whatever order the topics deliver in.
_STAGE = {"approved": 1, "active": 2, "suspended": 2, "completed": 3}


def settings_of(session: AsyncSession) -> ClearanceSettings:
    # Every service session carries its settings (srs_common.db.Database).
    settings = session.info.get("settings")
    return settings if isinstance(settings, ClearanceSettings) else ClearanceSettings()


async def _project(
    session: AsyncSession, project_id: str, organisation_id: str | None = None
) -> ProjectView:
    project = await session.get(ProjectView, project_id, with_for_update=True)
    if project is None:
        project = ProjectView(
            id=project_id,
            organisation_id=organisation_id,
            status="approved",
            priority=False,
            dataset_ids=[],
        )
        session.add(project)
    elif organisation_id and not project.organisation_id:
        project.organisation_id = organisation_id
    return project


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


async def on_project_approved(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    assert isinstance(payload, projects.ProjectApproved)
    project = await _project(session, payload.project_id, payload.organisation_id)
    project.priority = payload.priority
    project.dataset_ids = list(payload.dataset_ids)
    _advance(project, "approved")
    for member in payload.members:
        await _member(session, payload.project_id, member.researcher_id, member.role, True)
    await session.flush()


async def on_project_activated(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    assert isinstance(payload, projects.ProjectActivated)
    project = await _project(session, payload.project_id, payload.organisation_id)
    project.dataset_ids = list(payload.dataset_ids)
    if project.status == "approved":
        project.status = "active"
    await session.flush()


async def on_space_provisioned(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    assert isinstance(payload, access.ProjectSpaceProvisioned)
    project = await _project(session, payload.project_id)
    project.space_id = payload.space_id
    if not project.dataset_ids:
        project.dataset_ids = list(payload.dataset_ids)
    if project.status == "approved":
        project.status = "active"
    await session.flush()


async def on_space_archived(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    assert isinstance(payload, access.ProjectSpaceArchived)
    project = await _project(session, payload.project_id)
    project.space_id = payload.space_id
    await session.flush()


async def on_member_added(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    assert isinstance(payload, projects.ProjectMemberAdded)
    await _project(session, payload.project_id, payload.organisation_id)
    await _member(session, payload.project_id, payload.researcher_id, payload.role, True)
    await session.flush()


async def on_member_removed(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    assert isinstance(payload, projects.ProjectMemberRemoved)
    await session.execute(
        delete(ProjectMemberView).where(
            ProjectMemberView.project_id == payload.project_id,
            ProjectMemberView.researcher_id == payload.researcher_id,
        )
    )


async def on_member_deactivated(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    assert isinstance(payload, projects.ProjectMemberDeactivated)
    await _member(session, payload.project_id, payload.researcher_id, payload.role, False)
    await session.flush()


async def on_member_reactivated(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    assert isinstance(payload, projects.ProjectMemberReactivated)
    await _member(session, payload.project_id, payload.researcher_id, payload.role, True)
    await session.flush()


async def on_project_suspended(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    assert isinstance(payload, projects.ProjectSuspended)
    project = await _project(session, payload.project_id, payload.organisation_id)
    if project.status != "completed":
        project.status = "suspended"
    await session.flush()


async def on_project_resumed(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    assert isinstance(payload, projects.ProjectResumed)
    project = await _project(session, payload.project_id, payload.organisation_id)
    if project.status == "suspended":
        project.status = "active"
    await session.flush()


async def on_project_completed(session: AsyncSession, event: Event) -> None:
    """Completion: pre-publication outputs cleared for the project must now be destroyed."""
    payload = event.payload
    assert isinstance(payload, projects.ProjectCompleted)
    project = await _project(session, payload.project_id, payload.organisation_id)
    _advance(project, "completed")
    project.completed_at = project.completed_at or payload.occurred_at
    await session.flush()
    await service.require_destruction(
        session,
        payload.project_id,
        project.completed_at,
        settings_of(session).destruction_policy_days,
    )


async def on_dataset_catalogued(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    assert isinstance(payload, access.DatasetCatalogued)
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


HANDLERS: dict[str, Handler] = {
    projects.ProjectApproved.type: on_project_approved,
    projects.ProjectActivated.type: on_project_activated,
    projects.ProjectMemberAdded.type: on_member_added,
    projects.ProjectMemberRemoved.type: on_member_removed,
    projects.ProjectMemberDeactivated.type: on_member_deactivated,
    projects.ProjectMemberReactivated.type: on_member_reactivated,
    projects.ProjectSuspended.type: on_project_suspended,
    projects.ProjectResumed.type: on_project_resumed,
    projects.ProjectCompleted.type: on_project_completed,
    access.ProjectSpaceProvisioned.type: on_space_provisioned,
    access.ProjectSpaceArchived.type: on_space_archived,
    access.DatasetCatalogued.type: on_dataset_catalogued,
}
CONSUMED_TOPICS: list[str] = [projects.TOPIC, access.TOPIC]
