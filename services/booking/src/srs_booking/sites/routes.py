"""Routes of sites, their closures and changed hours, and availability."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Response, status
from pydantic_core import to_json
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_booking import domain
from srs_booking.deps import ReadSession, Settings, Support
from srs_booking.models import Site, SiteClosure
from srs_booking.schemas import AvailabilityRead, ClosureCreate, ClosureRead, HoursChange, SiteRead
from srs_booking.sites import availability as availability_read
from srs_booking.sites import service
from srs_common.auth import CurrentPrincipal
from srs_common.concurrency import Versioned, etag_documented, set_etag
from srs_common.context import Now
from srs_common.db import SessionDep
from srs_common.errors import problem_responses

router = APIRouter()


def _site_read(site: Site) -> SiteRead:
    return SiteRead(
        id=site.id,
        name=site.name,
        kind=site.kind,  # type: ignore[arg-type]
        location=site.location,
        timezone=site.timezone,
        opens_at=site.opens_at,
        closes_at=site.closes_at,
        open_weekdays=site.open_weekdays,
        places=domain.place_codes(site),
    )


async def _site_version(session: AsyncSession, site: Site) -> list[object]:
    """The rows a site's ETag covers: the site (hours, days, places) and every closure
    announced for it, so two staff changing its hours or closures cannot overwrite each
    other's view."""
    closures = await session.execute(
        select(SiteClosure).where(SiteClosure.site_id == site.id).order_by(SiteClosure.id)
    )
    return [site, *closures.scalars()]


async def _lock_site(session: AsyncSession, site_id: str, versioned: Versioned) -> None:
    """Lock the site and refuse a stale `If-Match` (412) before a closure is announced."""
    site = await versioned.lock(session, select(Site).where(Site.id == site_id))
    if site is not None and versioned.conditional:
        versioned.require(f"site {site.name}", *await _site_version(session, site))


# Sites, closures, availability


@router.get(
    "/sites",
    response_model=list[SiteRead],
    summary="List sites and their places",
    responses=problem_responses(401),
)
async def list_sites(session: SessionDep, principal: CurrentPrincipal) -> list[SiteRead]:
    """Every safe-setting site with its opening hours, days and places."""
    return [_site_read(site) for site in await service.list_sites(session)]


@router.get(
    "/sites/{site_id}",
    response_model=SiteRead,
    summary="Read a site",
    responses=problem_responses(401, {404: "no such site, or not yours to see"})
    | etag_documented(),
)
async def read_site(
    site_id: str, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> SiteRead:
    """One site with its opening hours, days and places; its `ETag` covers its closures."""
    site = await service.get_site(session, site_id)
    set_etag(response, *await _site_version(session, site))
    return _site_read(site)


@router.get(
    "/sites/{site_id}/closures",
    response_model=list[ClosureRead],
    summary="Current and coming closures of a site",
    responses=problem_responses(401, {404: "no such site, or not yours to see"})
    | etag_documented(),
)
async def list_closures(
    site_id: str, session: SessionDep, principal: CurrentPrincipal, now: Now, response: Response
) -> list[SiteClosure]:
    """The site's current and coming closures and shortened hours, with the site's `ETag`."""
    closures = await service.list_closures(session, site_id, now)
    set_etag(response, *await _site_version(session, await service.get_site(session, site_id)))
    return closures


@router.post(
    "/sites/{site_id}/closures",
    response_model=ClosureRead,
    status_code=status.HTTP_201_CREATED,
    summary="Announce a closure or lost hours (support); affected bookings are cancelled",
    responses=problem_responses(
        401,
        403,
        412,
        {404: "no such site, or not yours to see", 422: "invalid input, or a booking rule not met"},
    )
    | etag_documented(201),
)
async def announce_closure(
    site_id: str,
    data: ClosureCreate,
    session: SessionDep,
    principal: Support,
    now: Now,
    versioned: Versioned,
) -> ClosureRead:
    """Support announces a closure or lost hours; every booking it affects is cancelled and its
    researcher told. `If-Match` takes the site's `ETag`; the answer carries its new one."""
    await _lock_site(session, site_id, versioned)
    closure, cancelled = await service.announce_closure(session, principal, site_id, data, now)
    site = await service.get_site(session, site_id)
    await versioned.tag(session, *await _site_version(session, site))
    read = ClosureRead.model_validate(closure)
    read.cancelled_bookings = cancelled
    return read


@router.post(
    "/sites/{site_id}/hours-changes",
    response_model=list[ClosureRead],
    status_code=status.HTTP_201_CREATED,
    summary="Announce shorter opening hours for some days (support)",
    description="The hours lost each day become closures; bookings in them are "
    "cancelled with the reason and an event.",
    responses=problem_responses(
        401,
        403,
        412,
        {404: "no such site, or not yours to see", 422: "invalid input, or a booking rule not met"},
    )
    | etag_documented(201),
)
async def announce_hours_change(
    site_id: str,
    data: HoursChange,
    session: SessionDep,
    principal: Support,
    now: Now,
    settings: Settings,
    versioned: Versioned,
) -> list[ClosureRead]:
    await _lock_site(session, site_id, versioned)
    closures = await service.announce_hours_change(
        session, principal, site_id, data, now, settings.availability_max_days
    )
    site = await service.get_site(session, site_id)
    await versioned.tag(session, *await _site_version(session, site))
    reads = []
    for closure, cancelled in closures:
        read = ClosureRead.model_validate(closure)
        read.cancelled_bookings = cancelled
        reads.append(read)
    return reads


@router.get(
    "/availability",
    response_model=AvailabilityRead,
    summary="Free places per site per hourly slot over a date range",
    description="Dates are Europe/London calendar days, `to` inclusive; slots are "
    "UTC. Only future open slots are listed; nobody's name appears.",
    responses=problem_responses(
        401,
        {404: "no such site, or not yours to see", 422: "invalid input, or a booking rule not met"},
    ),
)
async def read_availability(
    session: ReadSession,
    principal: CurrentPrincipal,
    now: Now,
    settings: Settings,
    from_: Annotated[
        dt.date | None, Query(alias="from", description="first day (default today)")
    ] = None,
    to: Annotated[
        dt.date | None, Query(description="last day, inclusive (default from + 6)")
    ] = None,
    site_id: Annotated[str | None, Query(max_length=100, description="one site only")] = None,
) -> Response:
    today = now.astimezone(ZoneInfo("Europe/London")).date()
    first_day = from_ or today
    availability_read.check_range(
        first_day, to or first_day, settings.availability_max_days, today=today
    )
    last_day = to or first_day + dt.timedelta(days=6)
    sites = await availability_read.availability(
        session, site_id=site_id, first_day=first_day, last_day=last_day, now=now
    )
    # Built by our own code in AvailabilityRead's shape: serialise without re-validating.
    body = {
        "from": first_day,
        "to": last_day,
        "bookable_until": now + dt.timedelta(days=settings.booking_horizon_days),
        "sites": sites,
    }
    return Response(to_json(body), media_type="application/json")
