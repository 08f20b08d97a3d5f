"""Sites and closures: reading sites, announcing closures and shorter hours (which cancel
the bookings they touch)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_booking import domain
from srs_booking.bookings.cancellation import SYSTEM, cancel_where
from srs_booking.models import Booking, Site, SiteClosure, audit_log
from srs_booking.schemas import ClosureCreate, HoursChange
from srs_common.auth import Principal
from srs_common.contracts.booking import SiteClosureAnnounced
from srs_common.errors import NotFound, RuleViolation
from srs_common.events.outbox import publish
from srs_common.ids import new_id


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
    await audit_log.append(
        session,
        actor=principal.actor_id,
        action="site.close",
        outcome="closed",
        occurred_at=now,
        subject=("site", site.id),
        detail={
            "closure_id": closure.id,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "reason": reason,
            "cancelled_bookings": cancelled,
        },
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
        raise domain.invalid_input(
            f"last_day must be on or after first_day and within {max_days} days",
            field="body.last_day",
            message="bad range",
            kind="date_range",
        )
    periods = domain.lost_hours(site, data.first_day, data.last_day, data.opens_at, data.closes_at)
    reason = f"opening hours {data.opens_at:%H:%M}-{data.closes_at:%H:%M}: {data.reason}"
    return [
        await _close(session, principal, site, starts_at, ends_at, reason, now)
        for starts_at, ends_at in periods
    ]
