"""Periodic jobs: the completion reminder."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.app import Runtime
from srs_common.contracts.projects import ProjectCompletionDue
from srs_common.db import insert_if_absent, utcnow
from srs_common.events.outbox import publish
from srs_projects import domain
from srs_projects.models import CompletionReminder, Project
from srs_projects.settings import ProjectsSettings

log = logging.getLogger(__name__)

REMINDER_DAYS_BEFORE = 30


async def send_completion_reminders(session: AsyncSession, now: dt.datetime,
                                    days_before: int = REMINDER_DAYS_BEFORE) -> list[str]:
    """Remind the lead of every active project whose expected completion date is within
    ``days_before`` days; returns the projects reminded this time.

    Once per project and completion date, enforced by a unique key: when two replicas run
    at once, the second insert does nothing and so publishes nothing. An extension moves
    the date, so the new date gets its own reminder."""
    today = now.date()
    candidates = (await session.execute(
        select(Project).where(Project.status == domain.ProjectStatus.ACTIVE,
                              Project.expected_end_date <= today + dt.timedelta(days=days_before),
                              Project.expected_end_date >= today)
        .order_by(Project.id))).scalars().all()
    claim = insert_if_absent(session.bind.dialect.name, CompletionReminder,
                             conflict=["project_id", "expected_end_date"])
    reminded = []
    for project in candidates:
        if not domain.completion_reminder_due(project.expected_end_date, today, days_before):
            continue
        inserted = await session.execute(claim.values(
            project_id=project.id, expected_end_date=project.expected_end_date, sent_at=now))
        if inserted.rowcount != 1:
            continue
        await publish(session, ProjectCompletionDue(
            project_id=project.id, organisation_id=project.organisation_id,
            lead_researcher_id=project.lead_researcher_id,
            expected_end_date=project.expected_end_date, days_before=days_before,
            occurred_at=now), subject=project.id)
        reminded.append(project.id)
    await session.flush()
    return reminded


async def completion_reminder_job(runtime: Runtime) -> None:
    """Run the reminder every ``reminder_interval_seconds``; an error waits for the next run."""
    settings = runtime.settings
    assert isinstance(settings, ProjectsSettings)
    interval = settings.reminder_interval_seconds
    while True:
        try:
            async with runtime.db.transaction() as session:
                await send_completion_reminders(session, utcnow())
        except Exception:
            log.exception("completion reminder run failed")
        await asyncio.sleep(interval)
