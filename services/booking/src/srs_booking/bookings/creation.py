"""Booking a place: times, eligibility, and a place and researcher free for every hour."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from srs_booking import domain
from srs_booking.bookings.eligibility import eligibility_facts
from srs_booking.bookings.events import booking_fields
from srs_booking.models import BookedSlot, Booking, Site
from srs_booking.schemas import BookingCreate
from srs_booking.settings import BookingSettings
from srs_booking.sites.service import closures_between
from srs_common.auth import Principal
from srs_common.contracts.booking import BookingConfirmed
from srs_common.errors import Conflict
from srs_common.events.outbox import publish
from srs_common.ids import new_id


async def _raise_if_taken(
    session: AsyncSession, site_id: str, place: str, researcher_id: str, slots: list[dt.datetime]
) -> None:
    """A readable 409 for the common case; the unique constraints decide races."""
    taken = (
        await session.execute(
            select(BookedSlot.site_id, BookedSlot.place, BookedSlot.researcher_id)
            .where(
                BookedSlot.slot_start.in_(slots),
                or_(
                    and_(BookedSlot.site_id == site_id, BookedSlot.place == place),
                    BookedSlot.researcher_id == researcher_id,
                ),
            )
            .limit(1)
        )
    ).first()
    if taken is None:
        return
    if taken.site_id == site_id and taken.place == place:
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
) -> Booking:
    """Book a place: times within opening hours and horizon, the researcher eligible from
    the read models, the place and the researcher free for every hour - the last decided
    by the database, so of simultaneous attempts exactly one commits."""
    researcher_id = principal.actor_id
    site = await session.get(Site, data.site_id)
    if site is None:
        raise domain.invalid_input(
            f"no site {data.site_id}",
            field="body.site_id",
            message="unknown site",
            kind="unknown_site",
        )
    if data.place not in domain.place_codes(site):
        raise domain.invalid_input(
            f"{site.id} has no place {data.place}; its places are "
            f"{', '.join(domain.place_codes(site))}",
            field="body.place",
            message="unknown place",
            kind="unknown_place",
        )
    closures = await closures_between(session, site.id, data.starts_at, data.ends_at)
    slots = domain.check_booking_times(
        site,
        closures,
        data.starts_at,
        data.ends_at,
        now=now,
        horizon=dt.timedelta(days=settings.booking_horizon_days),
    )
    facts = await eligibility_facts(session, researcher_id, data.project_id, settings)
    domain.check_eligibility(
        facts,
        declaration_version=settings.declaration_version,
        booking_date=domain.local_date(site, data.starts_at),
    )
    await _raise_if_taken(session, site.id, data.place, researcher_id, slots)

    booking = Booking(
        id=new_id("bkg"),
        researcher_id=researcher_id,
        project_id=data.project_id,
        site_id=site.id,
        place=data.place,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        status=domain.BookingStatus.CONFIRMED,
        created_at=now,
    )
    session.add(booking)
    await session.flush()
    session.add_all(
        BookedSlot(
            booking_id=booking.id,
            site_id=site.id,
            place=data.place,
            researcher_id=researcher_id,
            slot_start=slot,
        )
        for slot in slots
    )
    try:
        await session.flush()
    except IntegrityError as exc:
        # The flush failed and the session rolled back: read nothing from the ORM here.
        if "researcher_id" in str(exc.orig):
            raise _researcher_overlap() from None
        raise _place_taken(data.site_id, data.place) from None
    await publish(
        session, BookingConfirmed(**booking_fields(booking), occurred_at=now), subject=booking.id
    )
    return booking
