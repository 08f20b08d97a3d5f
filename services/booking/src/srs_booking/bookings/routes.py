"""Routes of bookings: booking, listing, reading, cancelling, and recording visits."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import AwareDatetime

from srs_booking import domain
from srs_booking.bookings import cancellation, creation, visibility, visits
from srs_booking.deps import Researcher, ResearcherOrSupport, Settings, Support
from srs_booking.schemas import (
    BookingCancel,
    BookingCreate,
    BookingFilters,
    BookingPage,
    BookingRead,
)
from srs_common.context import Now
from srs_common.db import SessionDep
from srs_common.errors import problem_responses
from srs_common.pagination import Cursor, Limit

router = APIRouter()


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
    # The answer is already JSON in BookingRead's shape (response_model documents it).
    return await creation.create_booking(session, principal, data, settings, now)


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
    rows, next_cursor = await visibility.list_bookings(session, principal, filters, limit, cursor)
    return BookingPage(items=[BookingRead.model_validate(r) for r in rows], next=next_cursor)


@router.get(
    "/bookings/{booking_id}",
    response_model=BookingRead,
    summary="Read a booking",
    responses=problem_responses(401, 403, {404: "no such booking, or not yours to see"}),
)
async def read_booking(booking_id: str, session: SessionDep, principal: ResearcherOrSupport) -> Any:
    """One booking. A booking the caller may not see answers 404."""
    return await visibility.visible_booking(session, principal, booking_id)


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
    return await cancellation.cancel_booking(session, principal, booking_id, reason, now)


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
    return await visits.record_visit(session, principal, booking_id, True, now)


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
    return await visits.record_visit(session, principal, booking_id, False, now)
