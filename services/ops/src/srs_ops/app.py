"""The ops service."""

from __future__ import annotations

from fastapi import FastAPI

from srs_common.app import ServiceSpec, create_service_app
from srs_ops import api
from srs_ops.handlers import CONSUMED_TOPICS, HANDLERS
from srs_ops.models import messaging
from srs_ops.settings import OpsSettings


def spec() -> ServiceSpec:
    return ServiceSpec(
        name="ops",
        title="SRS ops",
        description="Operations: event store, live stream, sagas, consumer lag, dead letters, AsyncAPI, partner webhooks.",
        version="0.1.0",
        messaging=messaging,
        routers=[api.router],
        handlers=HANDLERS,
        consumed_topics=CONSUMED_TOPICS,
    )


def create_app(settings: OpsSettings | None = None) -> FastAPI:
    return create_service_app(spec(), settings or OpsSettings())
