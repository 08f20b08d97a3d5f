"""Periodic jobs: service-level overdue flags and overdue destruction attestations.

Each job is a function of (session, now) that is safe with two replicas: a row is claimed
by a conditional UPDATE (``... WHERE flagged IS NULL``), so only the replica whose update
changed the row publishes the event, exactly once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from srs_clearance import domain
from srs_clearance.models import OutputRequest
from srs_clearance.service import contract_fields
from srs_common.app import Runtime
from srs_common.contracts import clearance as events
from srs_common.db import utcnow
from srs_common.events.outbox import publish

log = logging.getLogger(__name__)


async def _claim(session: AsyncSession, output_id: str, column: str, now: dt.datetime) -> bool:
    attribute = getattr(OutputRequest, column)
    result = await session.execute(
        update(OutputRequest)
        .where(OutputRequest.id == output_id, attribute.is_(None))
        .values({column: now})
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def flag_overdue_requests(session: AsyncSession, now: dt.datetime) -> list[str]:
    """Open requests past their due date (clock running) get ``output.overdue`` once."""
    candidates = (
        (
            await session.execute(
                select(OutputRequest)
                .where(
                    OutputRequest.status.in_(list(domain.OPEN)),
                    OutputRequest.clock_paused_at.is_(None),
                    OutputRequest.overdue_flagged_at.is_(None),
                    OutputRequest.due_at < now,
                )
                .order_by(OutputRequest.due_at)
            )
        )
        .scalars()
        .all()
    )
    flagged = []
    for output in candidates:
        if await _claim(session, output.id, "overdue_flagged_at", now):
            await publish(
                session,
                events.OutputOverdue(**contract_fields(output, now), due_at=output.due_at),
                subject=output.id,
            )
            flagged.append(output.id)
    return flagged


async def flag_overdue_destructions(session: AsyncSession, now: dt.datetime) -> list[str]:
    """Destruction not attested by the deadline: ``output.destruction_overdue`` once."""
    candidates = (
        (
            await session.execute(
                select(OutputRequest)
                .where(
                    OutputRequest.destruction_status == domain.DestructionStatus.REQUIRED,
                    OutputRequest.destruction_overdue_at.is_(None),
                    OutputRequest.destruction_deadline < now,
                )
                .order_by(OutputRequest.destruction_deadline)
            )
        )
        .scalars()
        .all()
    )
    flagged = []
    for output in candidates:
        if await _claim(session, output.id, "destruction_overdue_at", now):
            await publish(
                session,
                events.OutputDestructionOverdue(
                    **contract_fields(output, now), deadline=output.destruction_deadline
                ),
                subject=output.id,
            )
            flagged.append(output.id)
    return flagged


async def clearance_jobs(runtime: Runtime) -> None:
    """The loop: both checks every ``job_interval_seconds``, each in its own transaction."""
    interval = getattr(runtime.settings, "job_interval_seconds", 60.0)
    while True:
        for job in (flag_overdue_requests, flag_overdue_destructions):
            try:
                async with runtime.db.transaction() as session:
                    await job(session, utcnow())
            except Exception:
                log.exception("clearance job %s failed", job.__name__)
        await asyncio.sleep(interval)
