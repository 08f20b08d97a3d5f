"""Completion: the lead completes the project with its final publications."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.auth import Principal
from srs_common.contracts.projects import FinalPublication, ProjectCompleted
from srs_common.db import utcnow
from srs_common.events.outbox import publish
from srs_projects import domain
from srs_projects.lifecycle.schemas import CompletionCreate
from srs_projects.members import roster
from srs_projects.models import Project
from srs_projects.visibility import led_project


async def complete_project(
    session: AsyncSession, principal: Principal, project_id: str, data: CompletionCreate
) -> Project:
    """The lead completes the project, recording its final publications; other services
    disable accounts, cancel bookings and have pre-publication outputs destroyed."""
    project = await led_project(session, principal, project_id)
    project.status = domain.completion_target(project.status, project.suspension_reason)
    project.suspension_reason = project.overdue_grace_ends_at = None
    now = utcnow()
    publications = [
        FinalPublication(title=p.title, url=str(p.url) if p.url else None)
        for p in data.final_publications
    ]
    project.final_publications = [p.model_dump() for p in publications]
    project.completed_at = now
    everyone = await roster.members_of(session, project.id)
    await publish(
        session,
        ProjectCompleted(
            project_id=project.id,
            organisation_id=project.organisation_id,
            lead_researcher_id=project.lead_researcher_id,
            member_ids=[m.researcher_id for m in everyone],
            final_publications=publications,
            occurred_at=now,
        ),
        subject=project.id,
    )
    await session.flush()
    return project
