"""Events published by the booking service on ``srs.booking``."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from srs_common.contracts.base import AuditAnchored, Contract

TOPIC = "srs.booking"

_WHEN = "2026-11-25T10:00:00Z"
_BOOKING = {
    "booking_id": "bkg_1",
    "researcher_id": "res-alice",
    "project_id": "prj_01J9Z8Q4V6",
    "site_id": "titchfield",
    "place": "T3",
    "starts_at": "2026-12-01T09:00:00Z",
    "ends_at": "2026-12-01T16:00:00Z",
    "occurred_at": _WHEN,
}


class _Booking(Contract):
    booking_id: str
    researcher_id: str
    project_id: str
    site_id: str
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = _BOOKING


class BookingConfirmed(_Booking):
    """A place is booked for a researcher on a project."""

    type: ClassVar[str] = "srs.booking.confirmed.v1"
    topic: ClassVar[str] = TOPIC


class BookingCancelled(_Booking):
    """A booking was cancelled, with the reason (by the researcher, staff or a cascade)."""

    type: ClassVar[str] = "srs.booking.cancelled.v1"
    topic: ClassVar[str] = TOPIC

    reason: str
    cancelled_by: str

    example: ClassVar[dict[str, Any]] = {
        **_BOOKING,
        "reason": "site closure: fire drill",
        "cancelled_by": "system",
    }


class BookingAttended(_Booking):
    """The researcher checked in."""

    type: ClassVar[str] = "srs.booking.attended.v1"
    topic: ClassVar[str] = TOPIC


class BookingNoShow(_Booking):
    """The researcher did not come."""

    type: ClassVar[str] = "srs.booking.no_show.v1"
    topic: ClassVar[str] = TOPIC


class SiteClosureAnnounced(Contract):
    """A site closes (or changes hours) for a period; affected bookings are cancelled."""

    type: ClassVar[str] = "srs.site.closure_announced.v1"
    topic: ClassVar[str] = TOPIC

    site_id: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str
    cancelled_bookings: int = 0
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        "site_id": "newport",
        "starts_at": "2026-12-03T00:00:00Z",
        "ends_at": "2026-12-04T00:00:00Z",
        "reason": "building works",
        "cancelled_bookings": 2,
        "occurred_at": _WHEN,
    }


class BookingAuditAnchored(AuditAnchored):
    """The booking service's audit chain (staff cancellations, closures and hours
    changes, attendance records) was extended: its newest entry and that entry's hash."""

    type: ClassVar[str] = "srs.booking.audit_anchored.v1"
    topic: ClassVar[str] = TOPIC

    example: ClassVar[dict[str, Any]] = {
        "seq": 212,
        "entries": 3,
        "anchored_at": _WHEN,
        "hash": "5be0d1c2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0",
    }
