"""The ops service: event store, live stream, sagas, lag, dead letters, console."""

from __future__ import annotations

from fastapi import FastAPI

from srs_common.app import ServiceSpec, create_service_app
from srs_ops import api, console
from srs_ops.models import messaging
from srs_ops.monitor import retention_job, start_monitor
from srs_ops.settings import OpsSettings
from srs_ops.webhooks import api as webhooks_api
from srs_ops.webhooks.delivery import webhook_consumer_job, webhook_delivery_job
from srs_ops.webhooks.openapi import document_webhooks


def spec() -> ServiceSpec:
    return ServiceSpec(
        name="ops",
        title="SRS ops",
        description="Operations: event store, live stream, sagas, consumer lag, outbox "
        "backlog, dead letters with replay, AsyncAPI, the web console, and "
        "signed partner webhooks.",
        version="0.1.0",
        messaging=messaging,
        routers=[api.router, api.public, console.router, webhooks_api.router],
        jobs=[
            retention_job,
            console.purge_sessions_job,
            webhook_consumer_job,
            webhook_delivery_job,
        ],
        startup=[start_monitor, console.install],
        extend=[document_webhooks],
    )


def create_app(settings: OpsSettings | None = None) -> FastAPI:
    return create_service_app(spec(), settings or OpsSettings())
