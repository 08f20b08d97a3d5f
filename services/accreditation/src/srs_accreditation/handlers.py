"""Consumed event type -> handler; each is safe to run twice."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from srs_accreditation import service
from srs_common.contracts.clearance import TOPIC as CLEARANCE_TOPIC
from srs_common.contracts.clearance import OutputDestructionOverdue
from srs_common.events.consumer import Handler
from srs_common.events.envelope import Event


async def on_destruction_overdue(session: AsyncSession, event: Event) -> None:
    """A pre-publication output was not destroyed in time: suspend the requester (once)."""
    payload = event.payload
    assert isinstance(payload, OutputDestructionOverdue)
    reason = (
        f"pre-publication output {payload.output_id} of project {payload.project_id} "
        f"not destroyed by {payload.deadline.date().isoformat()}"
    )
    await service.suspend_for_breach(session, payload.requester_id, reason, payload.occurred_at)


HANDLERS: dict[str, Handler] = {
    OutputDestructionOverdue.type: on_destruction_overdue,
}
CONSUMED_TOPICS: list[str] = [CLEARANCE_TOPIC]
