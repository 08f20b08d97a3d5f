"""Access use cases: load, apply rules, add outbox events, flush (never commit)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.contracts import ProjectApproved, ProjectSpaceProvisioned
from srs_common.db import utcnow
from srs_common.errors import NotFound
from srs_common.events.outbox import publish
from srs_common.ids import new_id
from srs_access.models import Account, ProjectSpace

# Outputs-only peer reviewers never get a data account.
DATA_ROLES = frozenset({"lead", "researcher", "peer_reviewer_data"})


async def provision_project_space(session: AsyncSession, approved: ProjectApproved) -> None:
    """Create the project's space, map its datasets, enable accounts for data users.

    Idempotent: the unique project id makes a redelivered approval a no-op, so
    ``project_space.provisioned`` is published once per project.
    """
    existing = (await session.execute(
        select(ProjectSpace).where(ProjectSpace.project_id == approved.project_id)
    )).scalar_one_or_none()
    if existing is not None:
        return
    space = ProjectSpace(id=new_id("spc"), project_id=approved.project_id, status="active",
                         dataset_ids=list(approved.dataset_ids), created_at=utcnow())
    session.add(space)
    enabled = []
    for member in approved.members:
        if member.role in DATA_ROLES:
            session.add(Account(project_id=approved.project_id, researcher_id=member.researcher_id,
                                role=member.role, enabled=True))
            enabled.append(member.researcher_id)
    await session.flush()
    await publish(session, ProjectSpaceProvisioned(
        project_id=approved.project_id, space_id=space.id, dataset_ids=space.dataset_ids,
        accounts_enabled=enabled, provisioned_at=space.created_at,
    ), subject=approved.project_id)


async def get_project_space(session: AsyncSession, project_id: str) -> ProjectSpace:
    space = (await session.execute(
        select(ProjectSpace).where(ProjectSpace.project_id == project_id)
    )).scalar_one_or_none()
    if space is None:
        raise NotFound(f"no project space for project {project_id}")
    return space
