"""The clearance service."""

from __future__ import annotations

from fastapi import FastAPI

from srs_clearance import api
from srs_clearance.handlers import CONSUMED_TOPICS, HANDLERS
from srs_clearance.jobs import clearance_jobs
from srs_clearance.models import audit_log, idempotency, messaging
from srs_clearance.settings import ClearanceSettings
from srs_common.app import ServiceSpec, create_service_app
from srs_common.audit.api import audit_router


def spec() -> ServiceSpec:
    return ServiceSpec(
        name="clearance",
        title="SRS clearance",
        description=(
            "Output clearance: automatic disclosure control, checker workflow, service level, "
            "destruction."
        ),
        version="0.1.0",
        messaging=messaging,
        idempotency=idempotency,
        routers=[api.router, audit_router(audit_log)],
        handlers=HANDLERS,
        consumed_topics=CONSUMED_TOPICS,
        jobs=[clearance_jobs, audit_log.sealer_job()],
        # Output files are limited (16 MB, a clear 422) by the upload route itself; whole
        # tables for the stateless check can exceed the platform's 1 MiB default.
        body_limits={
            r"/v1/outputs/[^/]+/groups/[^/]+/files": 64 * 1024 * 1024,
            r"/v1/sdc/checks": 32 * 1024 * 1024,
        },
        openapi_tags=[
            {"name": "clearance", "description": "Output requests and the checkers' workflow"},
            {"name": "disclosure control", "description": "Stateless automatic checks"},
        ],
    )


def create_app(settings: ClearanceSettings | None = None) -> FastAPI:
    return create_service_app(spec(), settings or ClearanceSettings())
