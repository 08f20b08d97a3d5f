"""The availability read: free places per site per hourly slot over a date range.

Called on every view of a booking page, so it is two cheap Core queries (the sites;
the closures and booked hours in range, the hours from an index alone, one row per hour
with its taken places joined by the database) and the slot grid is computed in memory;
it never says who booked a place.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BindParameter,
    CompoundSelect,
    Select,
    bindparam,
    false,
    func,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from srs_booking import domain
from srs_booking.models import BookedSlot, Site, SiteClosure
from srs_common.errors import NotFound

_site = Site.__table__
_closure = SiteClosure.__table__
_slot = BookedSlot.__table__
LONDON = ZoneInfo("Europe/London")


def _queries(one_site: bool) -> tuple[Select[Any], CompoundSelect[Any]]:
    """The sites, and their closures and booked hours in a window (of one site or all).

    Closures and booked hours come in one round trip: a closure's row carries its end
    and reason, a booked hour's the places taken then (place codes, T1..Tn or POD, never
    hold a comma). A full week of a safe room is 70 rows, not one per place and hour."""
    start: BindParameter[dt.datetime] = bindparam("window_start")
    end: BindParameter[dt.datetime] = bindparam("window_end")
    site: BindParameter[str] = bindparam("site_id")
    sites = select(_site).order_by(_site.c.id)
    closed = select(
        true().label("closed"),
        _closure.c.site_id,
        _closure.c.starts_at,
        _closure.c.ends_at,
        _closure.c.reason,
    ).where(_closure.c.starts_at < end, _closure.c.ends_at > start)
    hours = (
        select(
            false(),
            _slot.c.site_id,
            _slot.c.slot_start,
            null(),
            func.aggregate_strings(_slot.c.place, ","),
        )
        .where(_slot.c.slot_start >= start, _slot.c.slot_start < end)
        .group_by(_slot.c.slot_start, _slot.c.site_id)
    )
    if one_site:
        sites = sites.where(_site.c.id == site)
        closed = closed.where(_closure.c.site_id == site)
        hours = hours.where(_slot.c.site_id == site)
    return sites, union_all(closed, hours)


# Built once: a statement built per request cost a third of the read's own CPU (and
# SQLAlchemy computes a statement's cache key once per object).
_QUERIES = {one_site: _queries(one_site) for one_site in (False, True)}


def check_range(first_day: dt.date, last_day: dt.date, max_days: int, *, today: dt.date) -> None:
    """A range of at most ``max_days`` local days, within a year either side of today."""
    year = dt.timedelta(days=366)
    if not (today - year <= first_day and last_day <= today + year):
        raise domain.invalid_input(
            "dates must be within a year of today",
            field="query.from",
            message="too far from today",
            kind="date_range",
        )
    if last_day < first_day:
        raise domain.invalid_input(
            "'to' must not be before 'from'",
            field="query.to",
            message="before from",
            kind="date_range",
        )
    if (last_day - first_day).days + 1 > max_days:
        raise domain.invalid_input(
            f"at most {max_days} days per request",
            field="query.to",
            message=f"more than {max_days} days",
            kind="date_range",
        )


async def availability(
    session: AsyncSession,
    *,
    site_id: str | None,
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime,
) -> list[dict[str, object]]:
    """Per site, the future open slots between the two local dates and their free places."""
    sites_query, hours_query = _QUERIES[site_id is not None]
    conn = await session.connection()
    sites = (await conn.execute(sites_query, {"site_id": site_id})).all()
    if site_id is not None and not sites:
        raise NotFound(f"site {site_id} not found")
    # Local days are within a day of UTC either side: widen the window, filter in memory.
    window = {
        "site_id": site_id,
        "window_start": dt.datetime.combine(first_day, dt.time(), tzinfo=LONDON).astimezone(dt.UTC),
        "window_end": dt.datetime.combine(
            last_day + dt.timedelta(days=1), dt.time(), tzinfo=LONDON
        ).astimezone(dt.UTC),
    }
    closures: dict[str, list[domain.Period]] = defaultdict(list)
    booked: dict[str, dict[dt.datetime, set[str]]] = defaultdict(dict)
    for row in await conn.execute(hours_query, window):
        if row.closed:
            closures[row.site_id].append(row)
        else:
            booked[row.site_id][row.starts_at] = set(row.reason.split(","))
    result = []
    for site in sites:
        slots = domain.site_availability(
            site,
            closures[site.id],
            booked[site.id],
            first_day,
            last_day,
            now,
        )
        result.append(
            {
                "site_id": site.id,
                "name": site.name,
                "slots": [
                    {
                        "starts_at": s.starts_at,
                        "ends_at": s.ends_at,
                        "free": len(s.free_places),
                        "free_places": s.free_places,
                    }
                    for s in slots
                ],
            }
        )
    return result
