"""Destruction: once its project completes, an approved pre-publication output must be
destroyed, and its requester attests that it was.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_clearance import domain
from srs_clearance.audit.service import record
from srs_clearance.domain import OutputStatus
from srs_clearance.models import (
    OutputRequest,
)
from srs_clearance.outputs.service import contract_fields
from srs_clearance.outputs.visibility import own_output
from srs_common.auth import Principal
from srs_common.contracts import clearance as events
from srs_common.errors import IllegalTransition
from srs_common.events.outbox import publish


async def require_destruction(
    session: AsyncSession, project_id: str, completed_at: dt.datetime, policy_days: int
) -> int:
    """The project completed: every approved pre-publication output must be destroyed.

    Idempotent: outputs already marked are left alone. Returns how many were marked."""
    outputs = (
        (
            await session.execute(
                select(OutputRequest)
                .where(
                    OutputRequest.project_id == project_id,
                    OutputRequest.kind == "pre_publication",
                    OutputRequest.status == OutputStatus.APPROVED,
                    OutputRequest.destruction_status.is_(None),
                )
                .order_by(OutputRequest.id)
                .with_for_update()
            )
        )
        .scalars()
        .all()
    )
    deadline = completed_at + dt.timedelta(days=policy_days)
    for output in outputs:
        output.destruction_status = domain.DestructionStatus.REQUIRED
        output.destruction_deadline = deadline
        await publish(
            session,
            events.OutputDestructionRequired(
                **contract_fields(output, completed_at), deadline=deadline
            ),
            subject=output.id,
        )
        await record(session, output, None, "destruction_required", at=completed_at)
    await session.flush()
    return len(outputs)


async def attest_destruction(
    session: AsyncSession, principal: Principal, output_id: str, statement: str, now: dt.datetime
) -> OutputRequest:
    """The requester attests that every copy of a pre-publication output is destroyed."""
    output = await own_output(session, principal, output_id)
    if output.destruction_status != domain.DestructionStatus.REQUIRED:
        current = output.destruction_status or "not required"
        raise IllegalTransition("output destruction", current, "attest destruction of")
    output.destruction_status = domain.DestructionStatus.DESTROYED
    output.destroyed_at = now
    await publish(
        session, events.OutputDestroyed(**contract_fields(output, now)), subject=output.id
    )
    await record(session, output, principal, "destroyed", statement, at=now)
    await session.flush()
    return output
