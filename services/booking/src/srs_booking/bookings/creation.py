"""Booking a place: times, eligibility, and a place and researcher free for every hour.

The hottest write of the service, so it is Core statements, not ORM objects: one round
trip reads the site, whether a closure overlaps and every eligibility fact; the booking
and its hours are two inserts; the answer is serialised once, from the inserted values.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn, cast

from fastapi import Response, status
from pydantic_core import to_json
from sqlalchemy import Table, and_, bindparam, exists, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from srs_booking import domain
from srs_booking.bookings.eligibility import (
    ELIGIBILITY_COLUMNS,
    eligibility_from,
    eligibility_params,
)
from srs_booking.models import BookedSlot, Booking, Site, SiteClosure
from srs_booking.schemas import BookingCreate
from srs_booking.settings import BookingSettings
from srs_booking.sites.service import closures_between
from srs_common.auth import Principal
from srs_common.contracts.booking import BookingConfirmed
from srs_common.db import conflict_insert
from srs_common.errors import Conflict
from srs_common.events.outbox import publish
from srs_common.ids import new_id

_site = Site.__table__
_closure = SiteClosure.__table__
_booking = cast(Table, Booking.__table__)
_slot = cast(Table, BookedSlot.__table__)

# The site's hours, whether a closure overlaps the requested time, and the eligibility
# facts: one round trip. No row means no such site.
_FACTS = select(
    _site.c.kind,
    _site.c.places,
    _site.c.timezone,
    _site.c.opens_at,
    _site.c.closes_at,
    _site.c.open_weekdays,
    exists()
    .where(
        _closure.c.site_id == _site.c.id,
        _closure.c.starts_at < bindparam("ends_at"),
        _closure.c.ends_at > bindparam("starts_at"),
    )
    .label("closed_then"),
    *ELIGIBILITY_COLUMNS,
).where(_site.c.id == bindparam("site_id"))

# The hours, each free of the place and of the researcher or not inserted at all: the
# unique constraints decide, so of simultaneous attempts exactly one inserts every hour.
# Executed with one parameter set per hour, as one statement (insertmanyvalues) whose
# RETURNING counts the hours inserted.
_INSERT_SLOTS = {
    dialect: conflict_insert(dialect, _slot).on_conflict_do_nothing().returning(_slot.c.id)
    for dialect in ("postgresql", "sqlite")
}


async def _raise_taken(
    conn: AsyncConnection,
    booking_id: str,
    site_id: str,
    place: str,
    researcher_id: str,
    slots: list[dt.datetime],
) -> NoReturn:
    """The 409 for hours that were not free: the place taken, or the researcher already
    booked then (read after the insert found them held)."""
    taken = (
        await conn.execute(
            select(BookedSlot.site_id, BookedSlot.place, BookedSlot.researcher_id)
            .where(
                BookedSlot.slot_start.in_(slots),
                BookedSlot.booking_id != booking_id,
                or_(
                    and_(BookedSlot.site_id == site_id, BookedSlot.place == place),
                    BookedSlot.researcher_id == researcher_id,
                ),
            )
            .limit(1)
        )
    ).first()
    if taken is None or (taken.site_id == site_id and taken.place == place):
        raise _place_taken(site_id, place)
    raise _researcher_overlap()


def _place_taken(site_id: str, place: str) -> Conflict:
    return Conflict(
        f"place {place} at {site_id} is already booked for an overlapping time",
        conflict="place_taken",
    )


def _researcher_overlap() -> Conflict:
    return Conflict(
        "you already hold a booking for an overlapping time", conflict="researcher_overlap"
    )


async def create_booking(
    session: AsyncSession,
    principal: Principal,
    data: BookingCreate,
    settings: BookingSettings,
    now: dt.datetime,
) -> Response:
    """Book a place: times within opening hours and horizon, the researcher eligible from
    the read models, the place and the researcher free for every hour - the last decided
    by the database, so of simultaneous attempts exactly one commits. Answers 201 with
    the booking (``BookingRead``)."""
    researcher_id = principal.actor_id
    # Core statements on the session's connection: no ORM layer on the way.
    conn = await session.connection()
    site = (
        await conn.execute(
            _FACTS,
            {
                "site_id": data.site_id,
                "starts_at": data.starts_at,
                "ends_at": data.ends_at,
                **eligibility_params(researcher_id, data.project_id, settings),
            },
        )
    ).first()
    if site is None:
        raise domain.invalid_input(
            f"no site {data.site_id}",
            field="body.site_id",
            message="unknown site",
            kind="unknown_site",
        )
    if data.place not in domain.place_codes(site):
        raise domain.invalid_input(
            f"{data.site_id} has no place {data.place}; its places are "
            f"{', '.join(domain.place_codes(site))}",
            field="body.place",
            message="unknown place",
            kind="unknown_place",
        )
    closures = (
        await closures_between(session, data.site_id, data.starts_at, data.ends_at)
        if site.closed_then
        else []
    )
    slots = domain.check_booking_times(
        site,
        closures,
        data.starts_at,
        data.ends_at,
        now=now,
        horizon=dt.timedelta(days=settings.booking_horizon_days),
    )
    domain.check_eligibility(
        await eligibility_from(conn, site),
        declaration_version=settings.declaration_version,
        booking_date=domain.local_date(site, data.starts_at),
    )

    booking: dict[str, Any] = {
        "id": new_id("bkg"),
        "researcher_id": researcher_id,
        "project_id": data.project_id,
        "site_id": data.site_id,
        "place": data.place,
        "starts_at": data.starts_at,
        "ends_at": data.ends_at,
        "status": domain.BookingStatus.CONFIRMED.value,
        "created_at": now,
    }
    await conn.execute(insert(_booking), booking)
    hours = [
        {
            "booking_id": booking["id"],
            "site_id": data.site_id,
            "place": data.place,
            "researcher_id": researcher_id,
            "slot_start": slot,
        }
        for slot in slots
    ]
    inserted = await conn.execute(_INSERT_SLOTS[session.info["dialect"]], hours)
    if len(inserted.all()) != len(hours):
        # Raising rolls the booking back with the hours that were free.
        await _raise_taken(conn, booking["id"], data.site_id, data.place, researcher_id, slots)
    await publish(
        session,
        BookingConfirmed(
            booking_id=booking["id"],
            researcher_id=researcher_id,
            project_id=data.project_id,
            site_id=data.site_id,
            place=data.place,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            occurred_at=now,
        ),
        subject=booking["id"],
    )
    # BookingRead's fields in its order, serialised once.
    read = {**booking, "cancelled_at": None, "cancelled_by": None, "cancel_reason": None}
    return Response(to_json(read), status.HTTP_201_CREATED, media_type="application/json")
