"""Routes of the booking API: parse, authorise, call the service layer, shape the response."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import AwareDatetime
from pydantic_core import to_json

from srs_booking import availability as availability_read
from srs_booking import domain, service
from srs_booking.models import Site, SiteClosure
from srs_booking.schemas import (
    AvailabilityRead,
    BookingCancel,
    BookingCreate,
    BookingFilters,
    BookingPage,
    BookingRead,
    ClosureCreate,
    ClosureRead,
    DeclarationRead,
    DeclarationSign,
    DeclarationText,
    HoursChange,
    SiteRead,
)
from srs_booking.settings import BookingSettings
from srs_common.auth import CurrentPrincipal, Principal, require_roles
from srs_common.db import SessionDep, utcnow
from srs_common.errors import NotFound, problem_responses
from srs_common.pagination import Cursor, Limit

router = APIRouter(prefix="/v1", tags=["booking"])


# The dependencies are ``async def``: FastAPI runs a plain ``def`` dependency in a thread
# pool, a thread hop per request on the hot paths.
async def current_time() -> dt.datetime:
    """The clock every rule reads; tests override this dependency to travel in time."""
    return utcnow()


async def booking_settings(request: Request) -> BookingSettings:
    return request.app.state.settings  # type: ignore[no-any-return]


Now = Annotated[dt.datetime, Depends(current_time)]
Settings = Annotated[BookingSettings, Depends(booking_settings)]
Researcher = Annotated[Principal, Depends(require_roles("researcher"))]
Support = Annotated[Principal, Depends(require_roles("support"))]
ResearcherOrSupport = Annotated[Principal, Depends(require_roles("researcher", "support"))]


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
    responses=problem_responses(401, {404: "no such site, or not yours to see"}),
)
async def read_site(site_id: str, session: SessionDep, principal: CurrentPrincipal) -> SiteRead:
    """One site with its opening hours, days and places."""
    return _site_read(await service.get_site(session, site_id))


@router.get(
    "/sites/{site_id}/closures",
    response_model=list[ClosureRead],
    summary="Current and coming closures of a site",
    responses=problem_responses(401, {404: "no such site, or not yours to see"}),
)
async def list_closures(
    site_id: str, session: SessionDep, principal: CurrentPrincipal, now: Now
) -> list[SiteClosure]:
    """The site's current and coming closures and shortened hours."""
    return await service.list_closures(session, site_id, now)


@router.post(
    "/sites/{site_id}/closures",
    response_model=ClosureRead,
    status_code=status.HTTP_201_CREATED,
    summary="Announce a closure or lost hours (support); affected bookings are cancelled",
    responses=problem_responses(
        401,
        403,
        {404: "no such site, or not yours to see", 422: "invalid input, or a booking rule not met"},
    ),
)
async def announce_closure(
    site_id: str, data: ClosureCreate, session: SessionDep, principal: Support, now: Now
) -> ClosureRead:
    """Support announces a closure or lost hours; every booking it affects is cancelled and its
    researcher told."""
    closure, cancelled = await service.announce_closure(session, principal, site_id, data, now)
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
        {404: "no such site, or not yours to see", 422: "invalid input, or a booking rule not met"},
    ),
)
async def announce_hours_change(
    site_id: str,
    data: HoursChange,
    session: SessionDep,
    principal: Support,
    now: Now,
    settings: Settings,
) -> list[ClosureRead]:
    closures = await service.announce_hours_change(
        session, principal, site_id, data, now, settings.availability_max_days
    )
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
    session: SessionDep,
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
    body = {"from": first_day, "to": last_day, "sites": sites}
    return Response(to_json(body), media_type="application/json")


# Security declaration


@router.get(
    "/declaration",
    response_model=DeclarationText,
    summary="The current security declaration text and version",
    responses=problem_responses(401),
)
async def read_declaration(principal: CurrentPrincipal, settings: Settings) -> DeclarationText:
    """The text of the current security declaration and its version, which a researcher signs
    before booking."""
    version, text = service.current_declaration(settings)
    return DeclarationText(version=version, text=text)


@router.post(
    "/declarations",
    response_model=DeclarationRead,
    status_code=status.HTTP_201_CREATED,
    summary="Sign the current security declaration (researcher)",
    responses=problem_responses(401, 403, {422: "invalid input, or a booking rule not met"}),
)
async def sign_declaration(
    data: DeclarationSign, session: SessionDep, principal: Researcher, settings: Settings, now: Now
) -> Any:
    """The researcher signs the version of the declaration they read; bookings need a signature of
    the current version."""
    return await service.sign_declaration(session, principal, data.version, settings, now)


@router.get(
    "/declarations/me",
    response_model=DeclarationRead,
    summary="My signature of the current declaration (researcher)",
    responses=problem_responses(401, 403, {404: "no such signature, or not yours to see"}),
)
async def my_declaration(session: SessionDep, principal: Researcher, settings: Settings) -> Any:
    """Whether and when the caller signed the current version of the declaration."""
    signed = await service.signed_declaration(
        session, service.caller_researcher_id(principal), settings
    )
    if signed is None:
        raise NotFound(f"no signature of declaration version {settings.declaration_version}")
    return signed


# Bookings


@router.post(
    "/bookings",
    response_model=BookingRead,
    status_code=status.HTTP_201_CREATED,
    summary="Book a place (researcher)",
    responses=problem_responses(
        401,
        403,
        {409: "conflicts with the current state", 422: "invalid input, or a booking rule not met"},
    ),
)
async def create_booking(
    data: BookingCreate, session: SessionDep, principal: Researcher, settings: Settings, now: Now
) -> Any:
    """Books a place at a site for a time within its opening hours (201). A broken booking rule
    answers 422 naming the `rule`; a place already booked for an overlapping time answers 409."""
    return await service.create_booking(session, principal, data, settings, now)


@router.get(
    "/bookings",
    response_model=BookingPage,
    summary="List bookings: a researcher's own, or everybody's for support",
    responses=problem_responses(401, 403),
)
async def list_bookings(
    session: SessionDep,
    principal: ResearcherOrSupport,
    limit: Limit = 50,
    cursor: Cursor = None,
    researcher_id: Annotated[str | None, Query(max_length=100, description="support only")] = None,
    site_id: Annotated[str | None, Query(max_length=100)] = None,
    project_id: Annotated[str | None, Query(max_length=100)] = None,
    status_: Annotated[domain.BookingStatus | None, Query(alias="status")] = None,
    starts_from: Annotated[
        AwareDatetime | None, Query(description="only bookings starting then or later")
    ] = None,
) -> BookingPage:
    """Keyset pagination: a researcher sees their own bookings, support everybody's."""
    filters = BookingFilters(
        researcher_id=researcher_id,
        site_id=site_id,
        project_id=project_id,
        status=status_,
        starts_from=starts_from,
    )
    rows, next_cursor = await service.list_bookings(session, principal, filters, limit, cursor)
    return BookingPage(items=[BookingRead.model_validate(r) for r in rows], next=next_cursor)


@router.get(
    "/bookings/{booking_id}",
    response_model=BookingRead,
    summary="Read a booking",
    responses=problem_responses(401, 403, {404: "no such booking, or not yours to see"}),
)
async def read_booking(booking_id: str, session: SessionDep, principal: ResearcherOrSupport) -> Any:
    """One booking. A booking the caller may not see answers 404."""
    return await service.visible_booking(session, principal, booking_id)


@router.post(
    "/bookings/{booking_id}/cancel",
    response_model=BookingRead,
    summary="Cancel a booking (its researcher before it starts, or support)",
    responses=problem_responses(
        401,
        403,
        {
            404: "no such booking, or not yours to see",
            409: "conflicts with the current state",
            422: "invalid input, or a booking rule not met",
        },
    ),
)
async def cancel_booking(
    booking_id: str,
    session: SessionDep,
    principal: ResearcherOrSupport,
    now: Now,
    data: BookingCancel | None = None,
) -> Any:
    """The researcher cancels before the booking starts, or support at any time with a reason; an
    attended booking answers 409."""
    reason = data.reason if data else None
    return await service.cancel_booking(session, principal, booking_id, reason, now)


@router.post(
    "/bookings/{booking_id}/attended",
    response_model=BookingRead,
    summary="Check the researcher in (support)",
    responses=problem_responses(
        401,
        403,
        {404: "no such booking, or not yours to see", 409: "conflicts with the current state"},
    ),
)
async def record_attended(
    booking_id: str, session: SessionDep, principal: Support, now: Now
) -> Any:
    """Support checks the researcher in on the day; a cancelled booking answers 409."""
    return await service.record_visit(session, principal, booking_id, True, now)


@router.post(
    "/bookings/{booking_id}/no-show",
    response_model=BookingRead,
    summary="Record that the researcher did not come (support)",
    responses=problem_responses(
        401,
        403,
        {404: "no such booking, or not yours to see", 409: "conflicts with the current state"},
    ),
)
async def record_no_show(booking_id: str, session: SessionDep, principal: Support, now: Now) -> Any:
    """Support records that the researcher did not come; an attended booking answers 409."""
    return await service.record_visit(session, principal, booking_id, False, now)
