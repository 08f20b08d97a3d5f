"""The consumed contracts and their handlers; each is safe to run twice."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from srs_accreditation.accreditations.status import suspend_for_breach
from srs_common.contracts.clearance import OutputDestructionOverdue
from srs_common.events.envelope import Event
from srs_common.events.handlers import Handlers

HANDLERS = Handlers()


@HANDLERS.on(OutputDestructionOverdue)
async def on_destruction_overdue(
    session: AsyncSession, event: Event, payload: OutputDestructionOverdue
) -> None:
    """A pre-publication output was not destroyed in time: suspend the requester (once)."""
    reason = (
        f"pre-publication output {payload.output_id} of project {payload.project_id} "
        f"not destroyed by {payload.deadline.date().isoformat()}"
    )
    await suspend_for_breach(session, payload.requester_id, reason, payload.occurred_at)


CONSUMED_TOPICS = HANDLERS.topics
