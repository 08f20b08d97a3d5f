"""Who may see a booking: one rule for reading one and for listing."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from srs_booking.models import Booking
from srs_booking.schemas import BookingFilters
from srs_common.auth import Principal
from srs_common.errors import NotFound
from srs_common.pagination import keyset_page


def booking_visible_to(principal: Principal) -> ColumnElement[bool]:
    """Which bookings the caller may see (read one or list): support every booking, a
    researcher their own."""
    if principal.has("support"):
        return true()
    return Booking.researcher_id == principal.actor_id


async def visible_booking(
    session: AsyncSession, principal: Principal, booking_id: str, *, for_update: bool = False
) -> Booking:
    """The booking if it is the caller's (or the caller is support); 404 otherwise."""
    stmt = select(Booking).where(Booking.id == booking_id, booking_visible_to(principal))
    if for_update:
        stmt = stmt.with_for_update()
    booking = (await session.execute(stmt)).scalar_one_or_none()
    if booking is None:
        raise NotFound(f"booking {booking_id} not found")
    return booking


async def list_bookings(
    session: AsyncSession,
    principal: Principal,
    filters: BookingFilters,
    limit: int,
    cursor: str | None,
) -> tuple[list[Booking], str | None]:
    """Researchers list their own bookings; support lists everybody's, with filters."""
    stmt = select(Booking).where(booking_visible_to(principal))
    if principal.has("support") and filters.researcher_id:
        stmt = stmt.where(Booking.researcher_id == filters.researcher_id)
    if filters.site_id:
        stmt = stmt.where(Booking.site_id == filters.site_id)
    if filters.project_id:
        stmt = stmt.where(Booking.project_id == filters.project_id)
    if filters.status:
        stmt = stmt.where(Booking.status == filters.status)
    if filters.starts_from:
        stmt = stmt.where(Booking.starts_at >= filters.starts_from)
    page = await keyset_page(
        session, stmt, [Booking.starts_at, Booking.id], cursor=cursor, limit=limit
    )
    return page.items, page.next
