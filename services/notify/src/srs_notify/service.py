"""Use cases: keep the read models, queue notifications, manage preferences, read the
delivery log. Nothing here commits: the consumer or the request boundary does."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.auth import Principal
from srs_common.contracts import access, accreditation, booking, projects
from srs_common.contracts.base import Contract
from srs_common.db import utcnow
from srs_common.errors import Forbidden, IllegalTransition, NotFound, RuleViolation
from srs_common.pagination import decode_cursor, encode_cursor
from srs_notify import domain
from srs_notify.models import (
    Booking,
    Dataset,
    Notification,
    NotificationPreference,
    Project,
    ProjectMember,
    Researcher,
)
from srs_notify.schemas import DeliveryLogFilters, PreferencesUpdate

# Set on a session that queued mail to send, so its commit wakes the sender at once.
QUEUED = "notify_queued"


# -- read models ----------------------------------------------------------------------
async def record_researcher(
    session: AsyncSession, p: accreditation.ResearcherRegistered | accreditation.ResearcherUpdated
) -> None:
    """Remember a researcher's name, address and organisation; an older profile event
    (redelivered late) never overwrites a newer one."""
    researcher = await session.get(Researcher, p.researcher_id)
    if researcher is None:
        session.add(
            Researcher(
                id=p.researcher_id,
                name=p.name,
                email=p.email,
                organisation_id=p.organisation_id,
                profile_at=p.occurred_at,
            )
        )
    elif p.occurred_at >= researcher.profile_at:
        researcher.name, researcher.email = p.name, p.email
        researcher.organisation_id, researcher.profile_at = p.organisation_id, p.occurred_at


async def record_project(
    session: AsyncSession, project_id: str, *, title: str | None, lead_researcher_id: str | None
) -> None:
    """Remember a project's public title and lead, to name it in e-mails."""
    project = await session.get(Project, project_id)
    if project is None:
        session.add(Project(id=project_id, title=title, lead_researcher_id=lead_researcher_id))
        return
    project.title = title or project.title
    project.lead_researcher_id = lead_researcher_id or project.lead_researcher_id


async def record_member(
    session: AsyncSession, project_id: str, researcher_id: str, role: str
) -> None:
    """Remember who is on a project in what role (a later event's role wins)."""
    member = await session.get(ProjectMember, (project_id, researcher_id))
    if member is None:
        session.add(ProjectMember(project_id=project_id, researcher_id=researcher_id, role=role))
    else:
        member.role = role
    await session.flush()


async def forget_member(session: AsyncSession, project_id: str, researcher_id: str) -> None:
    member = await session.get(ProjectMember, (project_id, researcher_id))
    if member is not None:
        await session.delete(member)
        await session.flush()


async def record_lead_changed(session: AsyncSession, p: projects.ProjectLeadChanged) -> None:
    """The new lead leads from now on; the previous one stays a member (as a researcher)
    until the projects service says they left."""
    await record_project(session, p.project_id, title=None, lead_researcher_id=p.lead_researcher_id)
    previous = await session.get(ProjectMember, (p.project_id, p.previous_lead_researcher_id))
    if previous is not None and previous.role == "lead":
        previous.role = "researcher"
    await record_member(session, p.project_id, p.lead_researcher_id, "lead")


async def record_dataset(session: AsyncSession, p: access.DatasetCatalogued) -> None:
    """Remember a dataset's owner, whose mailbox decides home working on its data."""
    dataset = await session.get(Dataset, p.dataset_id)
    if dataset is None:
        session.add(Dataset(id=p.dataset_id, title=p.title, owner=p.owner))
    else:
        dataset.title, dataset.owner = p.title, p.owner


async def record_booking_confirmed(
    session: AsyncSession, p: booking.BookingConfirmed, event_id: str
) -> None:
    """Remember a confirmed booking for its day-before reminder (a cancelled one stays
    cancelled even if its confirmation is seen again)."""
    existing = await session.get(Booking, p.booking_id)
    if existing is None:
        session.add(
            Booking(
                id=p.booking_id,
                researcher_id=p.researcher_id,
                project_id=p.project_id,
                site_id=p.site_id,
                place=p.place,
                starts_at=p.starts_at,
                ends_at=p.ends_at,
                status="confirmed",
                confirmed_event_id=event_id,
            )
        )


async def record_booking_cancelled(
    session: AsyncSession, p: booking.BookingCancelled, event_id: str
) -> None:
    """Mark a booking cancelled and withdraw its reminder if that has not gone yet."""
    existing = await session.get(Booking, p.booking_id)
    if existing is None:
        session.add(
            Booking(
                id=p.booking_id,
                researcher_id=p.researcher_id,
                project_id=p.project_id,
                site_id=p.site_id,
                place=p.place,
                starts_at=p.starts_at,
                ends_at=p.ends_at,
                status="cancelled",
                confirmed_event_id=event_id,
            )
        )
    else:
        existing.status = "cancelled"
    await session.execute(
        update(Notification)
        .where(Notification.notice == domain.BOOKING_REMINDER)
        .where(Notification.about == p.booking_id)
        .where(Notification.status == domain.PENDING)
        .values(
            status=domain.WITHDRAWN,
            next_attempt_at=None,
            last_error="the booking was cancelled before the reminder went out",
        )
    )


async def update_read_models(session: AsyncSession, payload: Contract, event_id: str) -> None:
    match payload:
        case accreditation.ResearcherRegistered() | accreditation.ResearcherUpdated():
            await record_researcher(session, payload)
        case projects.ProjectSubmitted():
            await record_project(
                session,
                payload.project_id,
                title=payload.title,
                lead_researcher_id=payload.lead_researcher_id,
            )
            await record_member(session, payload.project_id, payload.lead_researcher_id, "lead")
        case projects.ProjectApproved():
            await record_project(
                session,
                payload.project_id,
                title=payload.title,
                lead_researcher_id=domain.lead_of(payload),
            )
            for member in payload.members:
                await record_member(session, payload.project_id, member.researcher_id, member.role)
        case projects.ProjectMemberAdded():
            await record_member(session, payload.project_id, payload.researcher_id, payload.role)
        case projects.ProjectMemberRemoved():
            await forget_member(session, payload.project_id, payload.researcher_id)
        case projects.ProjectLeadChanged():
            await record_lead_changed(session, payload)
        case access.DatasetCatalogued():
            await record_dataset(session, payload)
        case booking.BookingConfirmed():
            await record_booking_confirmed(session, payload, event_id)
        case booking.BookingCancelled():
            await record_booking_cancelled(session, payload, event_id)


# -- queueing notifications -----------------------------------------------------------
async def project_title(session: AsyncSession, project_id: str | None) -> str | None:
    if project_id is None:
        return None
    project = await session.get(Project, project_id)
    return project.title if project else None


async def opted_out_notices(session: AsyncSession, researcher_id: str) -> set[str]:
    rows = await session.scalars(
        select(NotificationPreference.notice)
        .where(NotificationPreference.researcher_id == researcher_id)
        .where(NotificationPreference.enabled.is_(False))
    )
    return set(rows)


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
    opted_out = await opted_out_notices(session, planned.researcher_id)
    if stale:
        status, reason = domain.STALE, "the event was too old when it reached the notifier"
    elif not domain.sends_to(planned.notice, opted_out):
        status, reason = domain.OPTED_OUT, "the recipient turned this notice off"
    else:
        status, reason = domain.PENDING, None
    row = Notification(
        event_id=event_id,
        event_type=event_type,
        notice=planned.notice,
        researcher_id=planned.researcher_id,
        about=planned.about,
        context=planned.context,
        status=status,
        attempts=0,
        last_error=reason,
        created_at=now,
        next_attempt_at=now if status == domain.PENDING else None,
    )
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        return False
    if status == domain.PENDING:
        session.info[QUEUED] = True
    return True


async def what_is_known(
    session: AsyncSession, payload: Contract, *, member_requests_to: str
) -> domain.Known:
    """The read models' facts an event's notices need (its project, its datasets' owners)."""
    project_id = getattr(payload, "project_id", None)
    project = await session.get(Project, project_id) if project_id else None
    members: dict[str, str] = {}
    if project_id:
        rows = await session.execute(
            select(ProjectMember.researcher_id, ProjectMember.role)
            .where(ProjectMember.project_id == project_id)
            .order_by(ProjectMember.researcher_id)
        )
        members = {r: role for r, role in rows.all()}
    owners: dict[str, str] = {}
    dataset_ids = getattr(payload, "dataset_ids", None)
    if isinstance(payload, access.HomeWorkingRequested) and dataset_ids:
        rows = await session.execute(
            select(Dataset.id, Dataset.owner).where(Dataset.id.in_(dataset_ids))
        )
        owners = {d: owner for d, owner in rows.all()}
    return domain.Known(
        project_title=project.title if project else None,
        lead_researcher_id=project.lead_researcher_id if project else None,
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
    queued = 0
    for planned in domain.plan_notices(payload, known=known):
        queued += await queue_notification(
            session, planned, event_id=event_id, event_type=payload.type, now=now, stale=stale
        )
    return queued


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


# -- preferences ----------------------------------------------------------------------
def _own_researcher_id(principal: Principal) -> str:
    if not principal.researcher_id:
        raise Forbidden("this token names no researcher (claim researcher_id)")
    return principal.researcher_id


async def read_preferences(session: AsyncSession, principal: Principal) -> dict[str, Any]:
    """The caller's notices: every kind, whether it can be turned off, and whether it is on."""
    researcher_id = _own_researcher_id(principal)
    opted_out = await opted_out_notices(session, researcher_id)
    return {
        "researcher_id": researcher_id,
        "notices": [
            {
                "notice": n.key,
                "description": n.description,
                "optional": n.optional,
                "enabled": domain.sends_to(n.key, opted_out),
            }
            for n in domain.RESEARCHER_NOTICES.values()
        ],
    }


async def update_preferences(
    session: AsyncSession, principal: Principal, data: PreferencesUpdate
) -> dict[str, Any]:
    """Turn the caller's optional notices on or off; decisions cannot be turned off."""
    researcher_id = _own_researcher_id(principal)
    mandatory = sorted(
        k for k, on in data.notices.items() if not domain.NOTICES[k].optional and not on
    )
    if mandatory:
        raise RuleViolation(
            f"decisions and answers are always sent and cannot be turned off: "
            f"{', '.join(mandatory)}; only these can: {', '.join(domain.OPTIONAL_NOTICES)}",
            rule="decisions-always-sent",
            notices=mandatory,
        )
    now = utcnow()
    for notice, enabled in data.notices.items():
        if not domain.NOTICES[notice].optional:
            continue
        pref = await session.get(NotificationPreference, (researcher_id, notice))
        if pref is None:
            session.add(
                NotificationPreference(
                    researcher_id=researcher_id, notice=notice, enabled=enabled, updated_at=now
                )
            )
        else:
            pref.enabled, pref.updated_at = enabled, now
    await session.flush()
    return await read_preferences(session, principal)


# -- the delivery log -----------------------------------------------------------------
async def delivery_log(
    session: AsyncSession, filters: DeliveryLogFilters, *, limit: int, cursor: str | None
) -> tuple[list[Notification], str | None]:
    """Who was told what and when, newest first, filtered; cursor-paginated by id."""
    query = select(Notification).order_by(Notification.id.desc()).limit(limit + 1)
    after = decode_cursor(cursor)
    if after is not None:
        if len(after) != 1 or not isinstance(after[0], int):
            raise RuleViolation("the cursor is not one this API issued", rule="cursor")
        query = query.where(Notification.id < after[0])
    for column, value in (
        (Notification.researcher_id, filters.researcher_id),
        (Notification.notice, filters.notice),
        (Notification.event_type, filters.event_type),
        (Notification.event_id, filters.event_id),
        (Notification.status, filters.status),
        (Notification.about, filters.about),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.created_from is not None:
        query = query.where(Notification.created_at >= filters.created_from)
    if filters.created_to is not None:
        query = query.where(Notification.created_at < filters.created_to)
    rows = list((await session.scalars(query)).all())
    next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
    return rows[:limit], next_cursor


async def notification(session: AsyncSession, notification_id: int) -> Notification:
    row = await session.get(Notification, notification_id)
    if row is None:
        raise NotFound(f"no notification {notification_id}")
    return row


async def retry_failed(session: AsyncSession, notification_id: int) -> Notification:
    """Queue a failed notification again, from the first attempt, to be sent now."""
    row = await notification(session, notification_id)
    if row.status != domain.FAILED:
        raise IllegalTransition("notification", row.status, "retry")
    row.status, row.attempts, row.next_attempt_at = domain.PENDING, 0, utcnow()
    session.info[QUEUED] = True
    await session.flush()
    return row
