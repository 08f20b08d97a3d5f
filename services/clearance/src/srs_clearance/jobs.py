"""Periodic jobs: service-level overdue flags and overdue destruction attestations.

Each job is a function of (session, now) that is safe with two replicas: a row is claimed
by a conditional UPDATE (``... WHERE flagged IS NULL``), so only the replica whose update
changed the row publishes the event, exactly once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import CursorResult, Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from srs_clearance import domain
from srs_clearance.models import OutputRequest
from srs_clearance.outputs.service import contract_fields
from srs_common.app import Runtime
from srs_common.contracts import clearance as events
from srs_common.contracts.base import Contract
from srs_common.db import utcnow
from srs_common.events.outbox import publish

log = logging.getLogger(__name__)


async def _claim(session: AsyncSession, output_id: str, column: str, now: dt.datetime) -> bool:
    attribute = getattr(OutputRequest, column)
    # DML answers a CursorResult (which has rowcount); AsyncSession.execute is typed as
    # answering its Result base class.
    result = cast(
        "CursorResult[Any]",
        await session.execute(
            update(OutputRequest)
            .where(OutputRequest.id == output_id, attribute.is_(None))
            .values({column: now})
            .execution_options(synchronize_session=False)
        ),
    )
    return result.rowcount == 1


async def flag_overdue_requests(session: AsyncSession, now: dt.datetime) -> list[str]:
    """Open requests past their due date (clock running) get ``output.overdue`` once."""

    def overdue(output: OutputRequest) -> events.OutputOverdue:
        assert output.due_at is not None  # selected by due_at < now
        return events.OutputOverdue(**contract_fields(output, now), due_at=output.due_at)

    return await _flag_once(
        session,
        select(OutputRequest)
        .where(
            OutputRequest.status.in_(list(domain.OPEN)),
            OutputRequest.clock_paused_at.is_(None),
            OutputRequest.overdue_flagged_at.is_(None),
            OutputRequest.due_at < now,
        )
        .order_by(OutputRequest.due_at),
        "overdue_flagged_at",
        overdue,
        now,
    )


async def flag_overdue_destructions(session: AsyncSession, now: dt.datetime) -> list[str]:
    """Destruction not attested by the deadline: ``output.destruction_overdue`` once."""

    def overdue(output: OutputRequest) -> events.OutputDestructionOverdue:
        assert output.destruction_deadline is not None  # selected by the deadline < now
        return events.OutputDestructionOverdue(
            **contract_fields(output, now), deadline=output.destruction_deadline
        )

    return await _flag_once(
        session,
        select(OutputRequest)
        .where(
            OutputRequest.destruction_status == domain.DestructionStatus.REQUIRED,
            OutputRequest.destruction_overdue_at.is_(None),
            OutputRequest.destruction_deadline < now,
        )
        .order_by(OutputRequest.destruction_deadline),
        "destruction_overdue_at",
        overdue,
        now,
    )


async def _flag_once(
    session: AsyncSession,
    candidates: Select[OutputRequest],
    column: str,
    event: Callable[[OutputRequest], Contract],
    now: dt.datetime,
) -> list[str]:
    """Publish ``event`` for each candidate whose ``column`` this run claims (once ever)."""
    flagged = []
    for output in await session.scalars(candidates):
        if await _claim(session, output.id, column, now):
            await publish(session, event(output), subject=output.id)
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
