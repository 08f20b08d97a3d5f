"""Rows that need a real journey first: accredited researchers, an active project, signed
declarations, bookings. Everything is set up over HTTP against the running stack, so the
measured paths do their real lookups. One module per journey; ``common`` holds what they
share (the project application, waiting for a condition, an active project)."""

from journeys.access import access_decision
from journeys.booking import HORIZON_DAYS, booking_rows
from journeys.growth import growth
from journeys.idle import idle_cost
from journeys.pseudonymisation import pseudonymise
from journeys.saga import saga_latency

__all__ = [
    "HORIZON_DAYS",
    "access_decision",
    "booking_rows",
    "growth",
    "idle_cost",
    "pseudonymise",
    "saga_latency",
]
