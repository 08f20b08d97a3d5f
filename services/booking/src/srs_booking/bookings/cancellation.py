"""Cancelling bookings: by the researcher or support, and in bulk when a cascade ends them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_booking import domain
from srs_booking.bookings.audit import audit_booking
from srs_booking.bookings.events import booking_fields
from srs_booking.bookings.visibility import visible_booking
from srs_booking.models import BookedSlot, Booking
from srs_common.auth import Principal
from srs_common.contracts.booking import BookingCancelled
from srs_common.events.outbox import publish

SYSTEM = "system"


async def _cancel(
    session: AsyncSession, booking: Booking, *, reason: str, by: str, at: dt.datetime
) -> None:
    booking.status = domain.transition(booking.status, domain.BookingAction.CANCEL)
    booking.cancelled_at = at
    booking.cancelled_by = by
    booking.cancel_reason = reason
    await session.execute(delete(BookedSlot).where(BookedSlot.booking_id == booking.id))
    await publish(
        session,
        BookingCancelled(**booking_fields(booking), reason=reason, cancelled_by=by, occurred_at=at),
        subject=booking.id,
    )


async def cancel_booking(
    session: AsyncSession,
    principal: Principal,
    booking_id: str,
    reason: str | None,
    now: dt.datetime,
) -> Booking:
    """The researcher (before it starts) or support cancels a booking, freeing its hours."""
    booking = await visible_booking(session, principal, booking_id, for_update=True)
    by_staff = principal.has("support")
    domain.transition(booking.status, domain.BookingAction.CANCEL)
    domain.check_cancellable(booking.starts_at, now, by_staff=by_staff)
    default = "cancelled by support" if by_staff else "cancelled by the researcher"
    await _cancel(
        session,
        booking,
        reason=reason or default,
        by="support" if by_staff else "researcher",
        at=now,
    )
    if by_staff:
        await audit_booking(session, principal, booking, "booking.cancel", now, reason)
    await session.flush()
    return booking


async def cancel_where(
    session: AsyncSession, condition: ColumnElement[bool], *, reason: str, by: str, at: dt.datetime
) -> int:
    """Cancel every confirmed booking matching ``condition``, each with its own event.
    Cancelled bookings no longer match, so running it again cancels nothing more."""
    stmt = (
        select(Booking)
        .where(Booking.status == domain.BookingStatus.CONFIRMED, condition)
        .order_by(Booking.starts_at, Booking.id)
        .with_for_update()
    )
    bookings = list((await session.execute(stmt)).scalars())
    for booking in bookings:
        await _cancel(session, booking, reason=reason, by=by, at=at)
    await session.flush()
    return len(bookings)
