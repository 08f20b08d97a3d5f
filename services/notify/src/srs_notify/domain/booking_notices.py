"""Notices about bookings: confirmed, cancelled, and the day-before reminder."""

from __future__ import annotations

from typing import Any

from srs_common.contracts import booking
from srs_notify.domain.catalogue import BOOKING_REMINDER
from srs_notify.domain.contexts import Plan, booking_context, iso, one, project_context
from srs_notify.domain.recipients import Known, PlannedNotice


def _plan_booking_confirmed(p: Any, k: Known) -> list[PlannedNotice]:
    return one(
        "booking_confirmed", p.researcher_id, p.booking_id, **booking_context(p, k.project_title)
    )


def _plan_booking_cancelled(p: Any, k: Known) -> list[PlannedNotice]:
    # The reason is the person's to know; who cancelled (a staff id) is not.
    return one(
        "booking_cancelled",
        p.researcher_id,
        p.booking_id,
        **booking_context(p, k.project_title),
        reason=p.reason,
    )


def booking_reminder(b: Any, project_title: str | None) -> PlannedNotice:
    """The day-before reminder for a booking from the read model."""
    return PlannedNotice(
        BOOKING_REMINDER,
        b.researcher_id,
        b.id,
        {
            "booking_id": b.id,
            "site_id": b.site_id,
            "place": b.place,
            "starts_at": iso(b.starts_at),
            "ends_at": iso(b.ends_at),
            **project_context(b.project_id, project_title),
        },
    )


PLANS: dict[str, Plan] = {
    booking.BookingConfirmed.type: _plan_booking_confirmed,
    booking.BookingCancelled.type: _plan_booking_cancelled,
}
