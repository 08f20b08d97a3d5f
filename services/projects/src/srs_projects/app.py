"""The projects service: safe projects, from application to completion."""

from __future__ import annotations

from fastapi import FastAPI

from srs_common.app import ServiceSpec, create_service_app
from srs_common.audit.api import audit_router
from srs_projects import api
from srs_projects.handlers import CONSUMED_TOPICS, HANDLERS
from srs_projects.jobs import completion_reminder_job
from srs_projects.models import audit_log, idempotency, messaging
from srs_projects.settings import ProjectsSettings


def spec() -> ServiceSpec:
    return ServiceSpec(
        name="projects",
        title="SRS projects",
        description="Research project applications, panel review, members and lifecycle.",
        version="0.1.0",
        messaging=messaging,
        idempotency=idempotency,
        routers=[api.router, api.register_router, audit_router(audit_log)],
        handlers=HANDLERS,
        consumed_topics=CONSUMED_TOPICS,
        jobs=[completion_reminder_job, audit_log.sealer_job()],
    )


def create_app(settings: ProjectsSettings | None = None) -> FastAPI:
    return create_service_app(spec(), settings or ProjectsSettings())
