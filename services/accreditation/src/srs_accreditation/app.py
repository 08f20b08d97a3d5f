"""The accreditation service."""

from __future__ import annotations

from fastapi import FastAPI

from srs_accreditation import api
from srs_accreditation.handlers import CONSUMED_TOPICS, HANDLERS
from srs_accreditation.jobs import expiry_job
from srs_accreditation.models import audit_log, idempotency, messaging
from srs_accreditation.settings import AccreditationSettings
from srs_common.app import ServiceSpec, create_service_app
from srs_common.audit.api import audit_router


def spec() -> ServiceSpec:
    return ServiceSpec(
        name="accreditation",
        title="SRS accreditation",
        description=(
            "Researcher accreditation: applications, panel decisions, the public "
            "register, expiry and revocation."
        ),
        version="0.1.0",
        messaging=messaging,
        idempotency=idempotency,
        routers=[api.router, audit_router(audit_log)],
        handlers=HANDLERS,
        consumed_topics=CONSUMED_TOPICS,
        jobs=[expiry_job, audit_log.sealer_job()],
    )


def create_app(settings: AccreditationSettings | None = None) -> FastAPI:
    return create_service_app(spec(), settings or AccreditationSettings())
