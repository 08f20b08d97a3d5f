"""Periodic job: expire accreditations past their end date, send reminders before it.

:func:`run_expiry` takes the clock as an argument (tests inject it). It is safe with two
replicas at once: expiry is a conditional UPDATE (``WHERE status = 'current'``) so only
one transaction moves each row, and each reminder is a row unique per accreditation,
end date and threshold, inserted with ON CONFLICT DO NOTHING, so only one replica sends it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_accreditation import domain
from srs_accreditation.accreditations.events import (
    AccreditationStateEvent,
    accreditation_event,
)
from srs_accreditation.accreditations.status import changed_one_row, move_status
from srs_accreditation.domain import AccreditationAction, AccreditationStatus
from srs_accreditation.models import Accreditation, ExpiryReminder, Researcher
from srs_accreditation.settings import AccreditationSettings
from srs_common.app import Runtime
from srs_common.contracts.accreditation import AccreditationExpired, AccreditationExpiring
from srs_common.db import insert_if_absent
from srs_common.events.outbox import publish

log = logging.getLogger(__name__)


@dataclass
class ExpiryRun:
    expired: list[str] = field(default_factory=list)
    reminded: list[tuple[str, int]] = field(default_factory=list)


async def run_expiry(
    session: AsyncSession, settings: AccreditationSettings, now: dt.datetime
) -> ExpiryRun:
    """Expire what ended before ``now``'s date and send the reminders now due."""
    today = now.date()
    result = ExpiryRun()
    ended = (
        (
            await session.execute(
                select(Accreditation.id).where(
                    Accreditation.status == AccreditationStatus.CURRENT,
                    Accreditation.valid_until < today,
                )
            )
        )
        .scalars()
        .all()
    )
    for accreditation_id in ended:
        if await move_status(
            session,
            accreditation_id,
            AccreditationAction.EXPIRE,
            reason="end date passed",
            when=now,
            guard=Accreditation.valid_until < today,
        ):
            await _announce(session, AccreditationExpired, accreditation_id)
            result.expired.append(accreditation_id)

    horizon = today + dt.timedelta(days=max(settings.reminder_days, default=0))
    candidates = (
        await session.execute(
            select(Accreditation.id, Accreditation.valid_until).where(
                Accreditation.status == AccreditationStatus.CURRENT,
                Accreditation.valid_until >= today,
                Accreditation.valid_until <= horizon,
            )
        )
    ).all()
    claim = insert_if_absent(
        session.get_bind().dialect.name,
        ExpiryReminder,
        conflict=["accreditation_id", "valid_until", "days_before"],
    )
    for accreditation_id, valid_until in candidates:
        days = domain.due_reminder(valid_until, today, settings.reminder_days)
        if days is None:
            continue
        claimed = claim.values(
            accreditation_id=accreditation_id,
            valid_until=valid_until,
            days_before=days,
            sent_at=now,
        )
        if await changed_one_row(session, claimed):
            await _announce(session, AccreditationExpiring, accreditation_id, days_before=days)
            result.reminded.append((accreditation_id, days))
    return result


async def _announce(
    session: AsyncSession,
    cls: type[AccreditationStateEvent],
    accreditation_id: str,
    **extra: Any,
) -> None:
    accreditation = await session.get(Accreditation, accreditation_id, populate_existing=True)
    assert accreditation is not None
    researcher = await session.get(Researcher, accreditation.researcher_id)
    assert researcher is not None
    event = accreditation_event(cls, accreditation, researcher.organisation_id, **extra)
    await publish(session, event, subject=accreditation.id)


async def expiry_job(runtime: Runtime) -> None:
    """Run :func:`run_expiry` every ``expiry_job_interval_seconds``, for ever."""
    settings = runtime.settings
    assert isinstance(settings, AccreditationSettings)
    while True:
        try:
            async with runtime.db.transaction() as session:
                run = await run_expiry(session, settings, dt.datetime.now(dt.UTC))
            if run.expired or run.reminded:
                log.info(
                    "expiry job: %d expired, %d reminders", len(run.expired), len(run.reminded)
                )
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - the next round retries
            log.exception("expiry job failed; retrying next round")
        await asyncio.sleep(settings.expiry_job_interval_seconds)
