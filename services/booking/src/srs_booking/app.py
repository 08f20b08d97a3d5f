"""The booking service."""

from __future__ import annotations

from fastapi import FastAPI

from srs_booking import api
from srs_booking.handlers import CONSUMED_TOPICS, HANDLERS
from srs_booking.models import audit_log, idempotency, messaging
from srs_booking.settings import BookingSettings
from srs_common.app import ServiceSpec, create_service_app
from srs_common.audit.api import audit_router


def spec() -> ServiceSpec:
    return ServiceSpec(
        name="booking",
        title="SRS booking",
        description=(
            "Safe-room terminals and SafePods: sites, security declarations, bookings, "
            "availability."
        ),
        version="0.1.0",
        messaging=messaging,
        idempotency=idempotency,
        routers=[api.router, audit_router(audit_log)],
        handlers=HANDLERS,
        consumed_topics=CONSUMED_TOPICS,
        jobs=[audit_log.sealer_job()],
    )


def create_app(settings: BookingSettings | None = None) -> FastAPI:
    return create_service_app(spec(), settings or BookingSettings())
