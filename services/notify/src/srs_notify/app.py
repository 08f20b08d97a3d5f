"""The notify service: e-mails to the people each event concerns, once."""

from __future__ import annotations

from fastapi import FastAPI

from srs_common.app import ServiceSpec, create_service_app
from srs_notify import api
from srs_notify.handlers import CONSUMED_TOPICS, make_handlers
from srs_notify.jobs import reminder_job, sender_job
from srs_notify.models import idempotency, messaging
from srs_notify.settings import NotifySettings


def spec(settings: NotifySettings | None = None) -> ServiceSpec:
    return ServiceSpec(
        name="notify",
        title="SRS notify",
        description="Notifications: e-mails to the people each event concerns, once. "
        "Researchers choose their optional notices (reminders); support reads "
        "the delivery log.",
        version="0.1.0",
        messaging=messaging,
        idempotency=idempotency,
        routers=[api.router],
        handlers=make_handlers(settings or NotifySettings()),
        consumed_topics=CONSUMED_TOPICS,
        jobs=[sender_job, reminder_job],
        openapi_tags=[
            {"name": "preferences", "description": "A researcher's own notification choices"},
            {"name": "delivery log", "description": "Who was told what, when (support)"},
        ],
    )


def create_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or NotifySettings()
    return create_service_app(spec(settings), settings)
