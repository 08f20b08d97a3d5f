"""Booking use cases: load, apply domain rules, add outbox events, flush (never commit)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, case, delete, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from srs_booking import domain
from srs_booking.declaration import DECLARATIONS
from srs_booking.models import (
    BookedSlot,
    Booking,
    KnownAccreditation,
    KnownDataset,
    KnownMember,
    KnownProject,
    SecurityDeclaration,
    Site,
    SiteClosure,
)
from srs_booking.schemas import BookingCreate, BookingFilters, ClosureCreate, HoursChange
from srs_booking.settings import BookingSettings
from srs_common.auth import Principal
from srs_common.contracts.booking import (
    BookingAttended,
    BookingCancelled,
    BookingConfirmed,
    BookingNoShow,
    SiteClosureAnnounced,
)
from srs_common.errors import AppError, Conflict, NotFound, RuleViolation
from srs_common.events.outbox import publish
from srs_common.ids import new_id
from srs_common.pagination import decode_cursor, encode_cursor

SYSTEM = "system"


def caller_researcher_id(principal: Principal) -> str:
    return principal.researcher_id or principal.sub


# Sites and closures


async def list_sites(session: AsyncSession) -> list[Site]:
    """Every site, safe rooms and SafePods alike (reference data, visible to all callers)."""
    return list((await session.execute(select(Site).order_by(Site.id))).scalars())


async def get_site(session: AsyncSession, site_id: str) -> Site:
    """One site, or 404."""
    site = await session.get(Site, site_id)
    if site is None:
        raise NotFound(f"site {site_id} not found")
    return site


async def closures_between(
    session: AsyncSession, site_id: str, starts_at: dt.datetime, ends_at: dt.datetime
) -> list[SiteClosure]:
    """The site's closures overlapping ``[starts_at, ends_at)``."""
    stmt = (
        select(SiteClosure)
        .where(
            SiteClosure.site_id == site_id,
            SiteClosure.starts_at < ends_at,
            SiteClosure.ends_at > starts_at,
        )
        .order_by(SiteClosure.starts_at)
    )
    return list((await session.execute(stmt)).scalars())


async def list_closures(session: AsyncSession, site_id: str, now: dt.datetime) -> list[SiteClosure]:
    """The site's current and coming closures."""
    await get_site(session, site_id)
    stmt = (
        select(SiteClosure)
        .where(SiteClosure.site_id == site_id, SiteClosure.ends_at > now)
        .order_by(SiteClosure.starts_at)
    )
    return list((await session.execute(stmt)).scalars())


async def _close(
    session: AsyncSession,
    principal: Principal,
    site: Site,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
    now: dt.datetime,
) -> tuple[SiteClosure, int]:
    closure = SiteClosure(
        id=new_id("clo"),
        site_id=site.id,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        announced_by=principal.sub,
        announced_at=now,
    )
    session.add(closure)
    cancelled = await cancel_where(
        session,
        and_(Booking.site_id == site.id, Booking.starts_at < ends_at, Booking.ends_at > starts_at),
        reason=f"site closure: {reason}",
        by=SYSTEM,
        at=now,
    )
    await publish(
        session,
        SiteClosureAnnounced(
            site_id=site.id,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            cancelled_bookings=cancelled,
            occurred_at=now,
        ),
        subject=site.id,
    )
    await session.flush()
    return closure, cancelled


async def announce_closure(
    session: AsyncSession, principal: Principal, site_id: str, data: ClosureCreate, now: dt.datetime
) -> tuple[SiteClosure, int]:
    """Support announces a closure in advance; every booking it touches is cancelled with
    the closure's reason and an event, then the closure itself is announced."""
    site = await get_site(session, site_id)
    domain.check_closure_period(data.starts_at, data.ends_at, now)
    return await _close(session, principal, site, data.starts_at, data.ends_at, data.reason, now)


async def announce_hours_change(
    session: AsyncSession,
    principal: Principal,
    site_id: str,
    data: HoursChange,
    now: dt.datetime,
    max_days: int,
) -> list[tuple[SiteClosure, int]]:
    """Support announces shorter opening hours for a run of days, in advance: the hours
    lost each day are closures, with the same cancellations and events."""
    site = await get_site(session, site_id)
    today = domain.local_date(site, now)
    if data.first_day <= today:
        raise RuleViolation(
            "changes of hours are announced in advance: first_day must be after today",
            rule="in_the_past",
        )
    if data.last_day < data.first_day or (data.last_day - data.first_day).days >= max_days:
        raise AppError(
            f"last_day must be on or after first_day and within {max_days} days",
            status=422,
            title="Invalid input",
            errors=[{"field": "body.last_day", "message": "bad range", "type": "date_range"}],
        )
    periods = domain.lost_hours(site, data.first_day, data.last_day, data.opens_at, data.closes_at)
    reason = f"opening hours {data.opens_at:%H:%M}-{data.closes_at:%H:%M}: {data.reason}"
    return [
        await _close(session, principal, site, starts_at, ends_at, reason, now)
        for starts_at, ends_at in periods
    ]


# Security declaration


def current_declaration(settings: BookingSettings) -> tuple[str, str]:
    """The version researchers must have signed, and its text."""
    return settings.declaration_version, DECLARATIONS[settings.declaration_version]


async def sign_declaration(
    session: AsyncSession,
    principal: Principal,
    version: str,
    settings: BookingSettings,
    now: dt.datetime,
) -> SecurityDeclaration:
    """A researcher signs the current declaration (signing it again changes nothing)."""
    if version != settings.declaration_version:
        raise RuleViolation(
            f"version {version} is not the current declaration; sign "
            f"version {settings.declaration_version}",
            rule="declaration_version",
            current_version=settings.declaration_version,
        )
    researcher_id = caller_researcher_id(principal)
    existing = await session.get(SecurityDeclaration, (researcher_id, version))
    if existing is not None:
        return existing
    signature = SecurityDeclaration(researcher_id=researcher_id, version=version, signed_at=now)
    session.add(signature)
    await session.flush()
    return signature


async def signed_declaration(
    session: AsyncSession, researcher_id: str, settings: BookingSettings
) -> SecurityDeclaration | None:
    """The researcher's signature of the current version, if any."""
    return await session.get(SecurityDeclaration, (researcher_id, settings.declaration_version))


# Bookings

# A researcher may hold several accreditations at once (an old provisional and a new
# full): the best comes first, a current one before any other, then the one that lasts
# longest. Booking and the cascades judge the researcher by that one.
BEST_ACCREDITATION_FIRST = (
    case((KnownAccreditation.status == domain.CURRENT_ACCREDITATION, 0), else_=1),
    KnownAccreditation.valid_until.desc(),
    KnownAccreditation.changed_at.desc(),
    KnownAccreditation.accreditation_id,
)


async def best_accreditation(
    session: AsyncSession, researcher_id: str
) -> KnownAccreditation | None:
    """The researcher's best accreditation, or None if none is known."""
    return (
        await session.execute(
            select(KnownAccreditation)
            .where(KnownAccreditation.researcher_id == researcher_id)
            .order_by(*BEST_ACCREDITATION_FIRST)
            .limit(1)
        )
    ).scalar_one_or_none()


def _eligibility_statement() -> Select[Any]:
    """One round trip for every read-model fact a booking needs: each a scalar subquery
    on a primary key. Built once; values are bound per call."""
    researcher_id, project_id = bindparam("researcher_id"), bindparam("project_id")
    acc, member, project = (
        KnownAccreditation.__table__,
        KnownMember.__table__,
        KnownProject.__table__,
    )
    declaration = SecurityDeclaration.__table__

    def one(column: Any, *where: Any) -> Any:
        return select(column).where(*where).scalar_subquery()

    def best(column: Any) -> Any:
        return (
            select(column)
            .where(acc.c.researcher_id == researcher_id)
            .order_by(*BEST_ACCREDITATION_FIRST)
            .limit(1)
            .scalar_subquery()
        )

    member_key = and_(member.c.project_id == project_id, member.c.researcher_id == researcher_id)
    return select(
        best(acc.c.status).label("acc_status"),
        best(acc.c.valid_until).label("acc_valid_until"),
        one(member.c.active, member_key).label("member_active"),
        one(project.c.status, project.c.id == project_id).label("project_status"),
        one(project.c.dataset_ids, project.c.id == project_id).label("dataset_ids"),
        exists()
        .where(
            declaration.c.researcher_id == researcher_id,
            declaration.c.version == bindparam("version"),
        )
        .label("declared"),
    )


_ELIGIBILITY = _eligibility_statement()


async def _eligibility(
    session: AsyncSession, researcher_id: str, project_id: str, settings: BookingSettings
) -> domain.Eligibility:
    """The read models' facts about the researcher and project, in one round trip (plus
    one for the project's dataset levels)."""
    row = (
        await session.execute(
            _ELIGIBILITY,
            {
                "researcher_id": researcher_id,
                "project_id": project_id,
                "version": settings.declaration_version,
            },
        )
    ).one()
    dataset_ids = list(row.dataset_ids or [])
    levels: dict[str, str | None] = dict.fromkeys(dataset_ids)
    if dataset_ids:
        rows = await session.execute(
            select(KnownDataset.id, KnownDataset.access_level).where(
                KnownDataset.id.in_(dataset_ids)
            )
        )
        levels.update({r.id: r.access_level for r in rows})
    return domain.Eligibility(
        declaration_signed=bool(row.declared),
        accreditation_status=row.acc_status,
        accreditation_valid_until=row.acc_valid_until,
        member_active=row.member_active,
        project_status=row.project_status,
        dataset_levels=levels,
    )


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
        raise Conflict(
            f"place {place} at {site_id} is already booked for an overlapping time",
            conflict="place_taken",
        )
    raise Conflict(
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
    researcher_id = caller_researcher_id(principal)
    site = await session.get(Site, data.site_id)
    if site is None:
        raise AppError(
            f"no site {data.site_id}",
            status=422,
            title="Invalid input",
            errors=[{"field": "body.site_id", "message": "unknown site", "type": "unknown_site"}],
        )
    if data.place not in domain.place_codes(site):
        raise AppError(
            f"{site.id} has no place {data.place}; its places are "
            f"{', '.join(domain.place_codes(site))}",
            status=422,
            title="Invalid input",
            errors=[{"field": "body.place", "message": "unknown place", "type": "unknown_place"}],
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
    facts = await _eligibility(session, researcher_id, data.project_id, settings)
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
            raise Conflict(
                "you already hold a booking for an overlapping time", conflict="researcher_overlap"
            ) from None
        raise Conflict(
            f"place {data.place} at {data.site_id} is already booked for an overlapping time",
            conflict="place_taken",
        ) from None
    await publish(
        session, BookingConfirmed(**_booking_fields(booking), occurred_at=now), subject=booking.id
    )
    return booking


def _booking_fields(booking: Booking) -> dict[str, object]:
    return {
        "booking_id": booking.id,
        "researcher_id": booking.researcher_id,
        "project_id": booking.project_id,
        "site_id": booking.site_id,
        "place": booking.place,
        "starts_at": booking.starts_at,
        "ends_at": booking.ends_at,
    }


async def visible_booking(
    session: AsyncSession, principal: Principal, booking_id: str, *, for_update: bool = False
) -> Booking:
    """The booking if it is the caller's (or the caller is support); 404 otherwise."""
    stmt = select(Booking).where(Booking.id == booking_id)
    if for_update:
        stmt = stmt.with_for_update()
    booking = (await session.execute(stmt)).scalar_one_or_none()
    if booking is None or not (
        principal.has("support") or booking.researcher_id == caller_researcher_id(principal)
    ):
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
    stmt = select(Booking)
    if principal.has("support"):
        if filters.researcher_id:
            stmt = stmt.where(Booking.researcher_id == filters.researcher_id)
    else:
        stmt = stmt.where(Booking.researcher_id == caller_researcher_id(principal))
    if filters.site_id:
        stmt = stmt.where(Booking.site_id == filters.site_id)
    if filters.project_id:
        stmt = stmt.where(Booking.project_id == filters.project_id)
    if filters.status:
        stmt = stmt.where(Booking.status == filters.status)
    if filters.starts_from:
        stmt = stmt.where(Booking.starts_at >= filters.starts_from)
    after = decode_cursor(cursor)
    if after is not None:
        try:
            last_start, last_id = dt.datetime.fromisoformat(after[0]), str(after[1])
            if last_start.tzinfo is None:
                raise ValueError("naive cursor time")
        except (IndexError, TypeError, ValueError):
            raise AppError(
                "the cursor is not one this API issued", status=422, title="Invalid cursor"
            ) from None
        stmt = stmt.where(
            or_(
                Booking.starts_at > last_start,
                and_(Booking.starts_at == last_start, Booking.id > last_id),
            )
        )
    rows = list(
        (
            await session.execute(stmt.order_by(Booking.starts_at, Booking.id).limit(limit + 1))
        ).scalars()
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1].starts_at.isoformat(), rows[-1].id])
    return rows, next_cursor


async def _cancel(
    session: AsyncSession, booking: Booking, *, reason: str, by: str, at: dt.datetime
) -> None:
    booking.status = domain.transition(booking.status, "cancel")
    booking.cancelled_at = at
    booking.cancelled_by = by
    booking.cancel_reason = reason
    await session.execute(delete(BookedSlot).where(BookedSlot.booking_id == booking.id))
    await publish(
        session,
        BookingCancelled(
            **_booking_fields(booking), reason=reason, cancelled_by=by, occurred_at=at
        ),
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
    domain.transition(booking.status, "cancel")
    domain.check_cancellable(booking.starts_at, now, by_staff=by_staff)
    default = "cancelled by support" if by_staff else "cancelled by the researcher"
    await _cancel(
        session,
        booking,
        reason=reason or default,
        by="support" if by_staff else "researcher",
        at=now,
    )
    await session.flush()
    return booking


async def record_visit(
    session: AsyncSession, principal: Principal, booking_id: str, attended: bool, now: dt.datetime
) -> Booking:
    """Support records that the researcher came (checked in) or did not (no-show)."""
    booking = await visible_booking(session, principal, booking_id, for_update=True)
    action = "check in" if attended else "record a no-show for"
    new_status = domain.transition(booking.status, action)
    domain.check_started(booking.starts_at, now, action)
    booking.status = new_status
    booking.recorded_at = now
    contract = BookingAttended if attended else BookingNoShow
    await publish(
        session, contract(**_booking_fields(booking), occurred_at=now), subject=booking.id
    )
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
