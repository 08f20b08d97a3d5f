"""Consumed event type -> handler; each is safe to run twice."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.contracts import ProjectSpaceProvisioned
from srs_common.events.envelope import Event
from srs_projects import service


async def on_project_space_provisioned(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    assert isinstance(payload, ProjectSpaceProvisioned)
    await service.activate_project(session, payload.project_id, payload.provisioned_at)


HANDLERS = {
    ProjectSpaceProvisioned.type: on_project_space_provisioned,
}
CONSUMED_TOPICS = ["srs.access"]
