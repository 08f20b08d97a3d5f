"""The clearance service."""

from __future__ import annotations

from fastapi import FastAPI

from srs_common.app import ServiceSpec, create_service_app
from srs_clearance import api
from srs_clearance.handlers import CONSUMED_TOPICS, HANDLERS
from srs_clearance.models import messaging
from srs_clearance.settings import ClearanceSettings


def spec() -> ServiceSpec:
    return ServiceSpec(
        name="clearance",
        title="SRS clearance",
        description="Output clearance: automatic disclosure control, checker workflow, service level, destruction.",
        version="0.1.0",
        messaging=messaging,
        routers=[api.router],
        handlers=HANDLERS,
        consumed_topics=CONSUMED_TOPICS,
    )


def create_app(settings: ClearanceSettings | None = None) -> FastAPI:
    return create_service_app(spec(), settings or ClearanceSettings())
