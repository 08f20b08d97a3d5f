"""Consumed event type -> handler; each is safe to run twice."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.contracts import ProjectApproved
from srs_common.events.envelope import Event
from srs_access import service


async def on_project_approved(session: AsyncSession, event: Event) -> None:
    assert isinstance(event.payload, ProjectApproved)
    await service.provision_project_space(session, event.payload)


HANDLERS = {
    ProjectApproved.type: on_project_approved,
}
CONSUMED_TOPICS = ["srs.projects"]
