"""The notify service."""

from __future__ import annotations

from fastapi import FastAPI

from srs_common.app import ServiceSpec, create_service_app
from srs_notify import api
from srs_notify.handlers import CONSUMED_TOPICS, HANDLERS
from srs_notify.models import messaging
from srs_notify.settings import NotifySettings


def spec() -> ServiceSpec:
    return ServiceSpec(
        name="notify",
        title="SRS notify",
        description="Notifications: e-mails to the people each event concerns, once.",
        version="0.1.0",
        messaging=messaging,
        routers=[api.router],
        handlers=HANDLERS,
        consumed_topics=CONSUMED_TOPICS,
    )


def create_app(settings: NotifySettings | None = None) -> FastAPI:
    return create_service_app(spec(), settings or NotifySettings())
