"""The fields every booking event carries."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from srs_booking.models import Booking


class BookingFields(TypedDict):
    booking_id: str
    researcher_id: str
    project_id: str
    site_id: str
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime


def booking_fields(booking: Booking) -> BookingFields:
    return {
        "booking_id": booking.id,
        "researcher_id": booking.researcher_id,
        "project_id": booking.project_id,
        "site_id": booking.site_id,
        "place": booking.place,
        "starts_at": booking.starts_at,
        "ends_at": booking.ends_at,
    }
