"""The delivery log (support): who was told what and when, and retrying a failed e-mail."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.db import utcnow
from srs_common.errors import NotFound
from srs_common.pagination import desc, keyset_page
from srs_notify import domain
from srs_notify.models import Notification
from srs_notify.queueing import QUEUED
from srs_notify.schemas import DeliveryLogFilters


async def delivery_log(
    session: AsyncSession, filters: DeliveryLogFilters, *, limit: int, cursor: str | None
) -> tuple[list[Notification], str | None]:
    """Who was told what and when, newest first, filtered; cursor-paginated by id."""
    query = select(Notification)
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
    page = await keyset_page(session, query, [desc(Notification.id)], cursor=cursor, limit=limit)
    return page.items, page.next


async def notification(session: AsyncSession, notification_id: int) -> Notification:
    row = await session.get(Notification, notification_id)
    if row is None:
        raise NotFound(f"no notification {notification_id}")
    return row


async def retry_failed(session: AsyncSession, notification_id: int) -> Notification:
    """Queue a failed notification again, from the first attempt, to be sent now."""
    row = await notification(session, notification_id)
    row.status = domain.transition(row.status, domain.NotificationAction.RETRY)
    row.attempts, row.next_attempt_at = 0, utcnow()
    session.info[QUEUED] = True
    await session.flush()
    return row
