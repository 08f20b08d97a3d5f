"""Queueing notifications: one durable row per (event, recipient, notice), in the
consumer's or the job's transaction. Nothing here commits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CompoundSelect, bindparam, false, select, true, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.contracts import access, booking
from srs_common.contracts.base import Contract
from srs_common.db import insert_if_absent
from srs_notify import domain
from srs_notify.models import (
    Booking,
    Dataset,
    Notification,
    NotificationPreference,
    Project,
    ProjectMember,
)
from srs_notify.read_models import update_read_models

# Set on a session that queued mail to send, so its commit wakes the sender at once.
QUEUED = "notify_queued"


async def project_title(session: AsyncSession, project_id: str | None) -> str | None:
    if project_id is None:
        return None
    project = await session.get(Project, project_id)
    return project.title if project else None


async def opted_out_notices(session: AsyncSession, researcher_id: str) -> set[str]:
    return (await opted_out_by_researcher(session, [researcher_id])).get(researcher_id, set())


async def opted_out_by_researcher(
    session: AsyncSession, researcher_ids: list[str]
) -> dict[str, set[str]]:
    """The notices each of these researchers turned off (one query for them all)."""
    rows = await session.execute(
        select(NotificationPreference.researcher_id, NotificationPreference.notice)
        .where(NotificationPreference.researcher_id.in_(researcher_ids))
        .where(NotificationPreference.enabled.is_(False))
    )
    off: dict[str, set[str]] = {}
    for researcher_id, notice in rows:
        off.setdefault(researcher_id, set()).add(notice)
    return off


async def queue_notification(
    session: AsyncSession,
    planned: domain.PlannedNotice,
    *,
    event_id: str,
    event_type: str,
    now: dt.datetime,
    stale: bool = False,
) -> bool:
    """Write the durable "to send" row (or the reason it will not be sent) in the caller's
    transaction. At most one row per (event, recipient, notice): False if it exists."""
    queued = await queue_notifications(
        session, [planned], event_id=event_id, event_type=event_type, now=now, stale=stale
    )
    return queued == 1


async def queue_notifications(
    session: AsyncSession,
    planned: list[domain.PlannedNotice],
    *,
    event_id: str,
    event_type: str,
    now: dt.datetime,
    stale: bool = False,
) -> int:
    """:func:`queue_notification` for an event's notices: one read of the recipients'
    preferences, one insert that skips the (event, recipient, notice) rows already there.
    Returns how many rows were new."""
    if not planned:
        return 0
    opted_out = await opted_out_by_researcher(session, sorted({p.researcher_id for p in planned}))
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for notice in planned:
        if stale:
            status, reason = domain.STALE, "the event was too old when it reached the notifier"
        elif not domain.sends_to(notice.notice, opted_out.get(notice.researcher_id, set())):
            status, reason = domain.OPTED_OUT, "the recipient turned this notice off"
        else:
            status, reason = domain.PENDING, None
        rows.setdefault(
            (notice.researcher_id, notice.notice),  # the first of a repeated notice counts
            {
                "event_id": event_id,
                "event_type": event_type,
                "notice": notice.notice,
                "researcher_id": notice.researcher_id,
                "about": notice.about,
                "context": notice.context,
                "status": status,
                "attempts": 0,
                "last_error": reason,
                "created_at": now,
                "next_attempt_at": now if status == domain.PENDING else None,
            },
        )
    table = Notification.__table__
    statement = insert_if_absent(
        session.get_bind().dialect.name,
        table,
        conflict=["event_id", "researcher_id", "notice"],
    )
    # The rows as execute parameters: ``.values(rows)`` would be compiled on every call.
    inserted = (
        (await session.execute(statement.returning(table.c.status), list(rows.values())))
        .scalars()
        .all()
    )
    if domain.PENDING in inserted:
        session.info[QUEUED] = True
    return len(inserted)


# A project's title and lead (a row if the project is known) and its members, each
# known or not without the other, in one round trip; built once.
_PROJECT_AND_MEMBERS: CompoundSelect[bool, str | None, str | None] = union_all(
    select(true().label("is_project"), Project.title, Project.lead_researcher_id).where(
        Project.id == bindparam("project_id")
    ),
    select(false(), ProjectMember.researcher_id, ProjectMember.role).where(
        ProjectMember.project_id == bindparam("project_id")
    ),
)


async def what_is_known(
    session: AsyncSession, payload: Contract, *, member_requests_to: str
) -> domain.Known:
    """The read models' facts an event's notices need (its project, its datasets' owners)."""
    project_id = getattr(payload, "project_id", None)
    title = lead = None
    members: dict[str, str] = {}
    if project_id:
        found: dict[str, str] = {}
        for is_project, first, second in await session.execute(
            _PROJECT_AND_MEMBERS, {"project_id": project_id}
        ):
            if is_project:
                title, lead = first, second
            elif first is not None and second is not None:  # a member: both always set
                found[first] = second
        members = dict(sorted(found.items()))
    owners: dict[str, str] = {}
    dataset_ids = getattr(payload, "dataset_ids", None)
    if isinstance(payload, access.HomeWorkingRequested) and dataset_ids:
        rows = await session.execute(
            select(Dataset.id, Dataset.owner).where(Dataset.id.in_(dataset_ids))
        )
        owners = {d: owner for d, owner in rows.all()}
    return domain.Known(
        project_title=title,
        lead_researcher_id=lead,
        members=members,
        dataset_owners=owners,
        member_requests_to=member_requests_to,
    )


async def notify_about_event(
    session: AsyncSession,
    payload: Contract,
    *,
    event_id: str,
    event_time: dt.datetime | None,
    now: dt.datetime,
    stale_after: dt.timedelta,
    member_requests_to: str = domain.SUPPORT,
) -> int:
    """Apply one consumed event: update the read models and queue its e-mails."""
    await update_read_models(session, payload, event_id)
    known = await what_is_known(session, payload, member_requests_to=member_requests_to)
    stale = domain.is_stale(event_time, now, max_age=stale_after)
    return await queue_notifications(
        session,
        list(domain.plan_notices(payload, known=known)),
        event_id=event_id,
        event_type=payload.type,
        now=now,
        stale=stale,
    )


async def queue_booking_reminders(session: AsyncSession, now: dt.datetime) -> int:
    """Queue the reminder for every confirmed booking that starts tomorrow (UK calendar);
    each booking's reminder is queued once, however often this runs."""
    start, end = domain.reminder_window(now)
    bookings = (
        await session.scalars(
            select(Booking)
            .where(Booking.status == "confirmed")
            .where(Booking.starts_at >= start)
            .where(Booking.starts_at < end)
            .order_by(Booking.starts_at)
        )
    ).all()
    queued = 0
    for b in bookings:
        planned = domain.booking_reminder(b, await project_title(session, b.project_id))
        queued += await queue_notification(
            session,
            planned,
            event_id=b.confirmed_event_id,
            event_type=booking.BookingConfirmed.type,
            now=now,
        )
    return queued
