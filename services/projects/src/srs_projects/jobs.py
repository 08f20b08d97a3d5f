"""Periodic jobs: the completion reminder, and projects past their completion date."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.app import Runtime
from srs_common.contracts.projects import ProjectCompletionDue, ProjectOverdue
from srs_common.db import insert_if_absent, utcnow
from srs_common.events.outbox import publish
from srs_projects import domain
from srs_projects.lifecycle.suspension import SYSTEM, suspend
from srs_projects.models import CompletionReminder, Project
from srs_projects.settings import ProjectsSettings

log = logging.getLogger(__name__)

REMINDER_DAYS_BEFORE = 30


async def send_completion_reminders(
    session: AsyncSession, now: dt.datetime, days_before: int = REMINDER_DAYS_BEFORE
) -> list[str]:
    """Remind the lead of every active project whose expected completion date is within
    ``days_before`` days; returns the projects reminded this time.

    Once per project and completion date, enforced by a unique key: when two replicas run
    at once, the second insert does nothing and so publishes nothing. An extension moves
    the date, so the new date gets its own reminder."""
    today = now.date()
    candidates = (
        (
            await session.execute(
                select(Project)
                .where(
                    Project.status == domain.ProjectStatus.ACTIVE,
                    Project.expected_end_date <= today + dt.timedelta(days=days_before),
                    Project.expected_end_date >= today,
                )
                .order_by(Project.id)
            )
        )
        .scalars()
        .all()
    )
    claim = insert_if_absent(
        session.get_bind().dialect.name,
        CompletionReminder,
        conflict=["project_id", "expected_end_date"],
    )
    reminded = []
    for project in candidates:
        if not domain.completion_reminder_due(project.expected_end_date, today, days_before):
            continue
        inserted = await session.execute(
            claim.values(
                project_id=project.id, expected_end_date=project.expected_end_date, sent_at=now
            )
        )
        # An INSERT answers a CursorResult (with rowcount); AsyncSession.execute is typed as
        # returning the Result base class.
        if inserted.rowcount != 1:  # type: ignore[attr-defined]
            continue
        await publish(
            session,
            ProjectCompletionDue(
                project_id=project.id,
                organisation_id=project.organisation_id,
                lead_researcher_id=project.lead_researcher_id,
                expected_end_date=project.expected_end_date,
                days_before=days_before,
                occurred_at=now,
            ),
            subject=project.id,
        )
        reminded.append(project.id)
    await session.flush()
    return reminded


OVERDUE_SUSPENSION_REASON = (
    "the project is past its expected completion date and "
    "its grace period has ended; an approved extension or completion "
    "ends the suspension"
)


def _overdue(project: Project, now: dt.datetime) -> ProjectOverdue:
    assert project.overdue_grace_ends_at is not None
    return ProjectOverdue(
        project_id=project.id,
        organisation_id=project.organisation_id,
        lead_researcher_id=project.lead_researcher_id,
        expected_end_date=project.expected_end_date,
        grace_ends_at=project.overdue_grace_ends_at,
        occurred_at=now,
    )


async def enforce_completion_dates(
    session: AsyncSession, now: dt.datetime, *, grace_days: int, remind_every_days: int
) -> dict[str, list[str]]:
    """Active projects past their expected completion date become overdue (the lead is
    told, with the end of the grace period); overdue ones are reminded every
    ``remind_every_days``; those whose grace period has ended are suspended, so their
    accounts are disabled. Returns the project ids of each step.

    Rows are locked and selected by state, so two replicas running at once cannot both act
    on one project, and a rerun changes nothing."""
    today = now.date()
    became_overdue = (
        (
            await session.execute(
                select(Project)
                .where(
                    Project.status == domain.ProjectStatus.ACTIVE, Project.expected_end_date < today
                )
                .order_by(Project.id)
                .with_for_update()
            )
        )
        .scalars()
        .all()
    )
    for project in became_overdue:
        project.status = domain.transition(project.status, domain.ProjectAction.OVERDUE)
        project.overdue_grace_ends_at = domain.overdue_grace_ends_at(
            project.expected_end_date, grace_days
        )
        project.overdue_reminded_at = now
        await publish(session, _overdue(project, now), subject=project.id)
    await session.flush()

    reminded = (
        (
            await session.execute(
                select(Project)
                .where(
                    Project.status == domain.ProjectStatus.OVERDUE,
                    Project.overdue_reminded_at <= now - dt.timedelta(days=remind_every_days),
                )
                .order_by(Project.id)
                .with_for_update()
            )
        )
        .scalars()
        .all()
    )
    for project in reminded:
        project.overdue_reminded_at = now
        await publish(session, _overdue(project, now), subject=project.id)
    await session.flush()

    suspended = (
        (
            await session.execute(
                select(Project)
                .where(
                    Project.status == domain.ProjectStatus.OVERDUE,
                    Project.overdue_grace_ends_at <= now,
                )
                .order_by(Project.id)
                .with_for_update()
            )
        )
        .scalars()
        .all()
    )
    for project in suspended:
        await suspend(
            session,
            project,
            domain.SuspensionReason.OVERDUE,
            actor=SYSTEM,
            reason=OVERDUE_SUSPENSION_REASON,
            now=now,
        )
    await session.flush()
    return {
        "overdue": [p.id for p in became_overdue],
        "reminded": [p.id for p in reminded],
        "suspended": [p.id for p in suspended],
    }


async def completion_reminder_job(runtime: Runtime) -> None:
    """Run the reminders and the overdue rules every ``reminder_interval_seconds``; an
    error waits for the next run."""
    settings = runtime.settings
    assert isinstance(settings, ProjectsSettings)
    interval = settings.reminder_interval_seconds
    while True:
        try:
            async with runtime.db.transaction() as session:
                await send_completion_reminders(session, utcnow())
            async with runtime.db.transaction() as session:
                await enforce_completion_dates(
                    session,
                    utcnow(),
                    grace_days=settings.overdue_grace_days,
                    remind_every_days=settings.overdue_reminder_days,
                )
        except Exception:
            log.exception("completion reminder run failed")
        await asyncio.sleep(interval)
