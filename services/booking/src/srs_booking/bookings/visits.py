"""Support records whether the researcher came: checked in, or a no-show."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from srs_booking import domain
from srs_booking.bookings.audit import audit_booking
from srs_booking.bookings.events import booking_fields
from srs_booking.bookings.visibility import visible_booking
from srs_booking.models import Booking
from srs_common.auth import Principal
from srs_common.contracts.booking import BookingAttended, BookingNoShow
from srs_common.events.outbox import publish


async def record_visit(
    session: AsyncSession, principal: Principal, booking_id: str, attended: bool, now: dt.datetime
) -> Booking:
    """Support records that the researcher came (checked in) or did not (no-show)."""
    booking = await visible_booking(session, principal, booking_id, for_update=True)
    action = domain.BookingAction.CHECK_IN if attended else domain.BookingAction.RECORD_NO_SHOW
    new_status = domain.transition(booking.status, action)
    domain.check_started(booking.starts_at, now, action)
    booking.status = new_status
    booking.recorded_at = now
    contract = BookingAttended if attended else BookingNoShow
    await audit_booking(
        session, principal, booking, "booking.attended" if attended else "booking.no_show", now
    )
    await publish(session, contract(**booking_fields(booking), occurred_at=now), subject=booking.id)
    await session.flush()
    return booking
