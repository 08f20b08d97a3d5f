"""The access service: safe settings and safe data, and the embedded token issuer."""

from __future__ import annotations

from fastapi import FastAPI

from srs_access import identity, oidc
from srs_access.api import ROUTERS
from srs_access.handlers import CONSUMED_TOPICS, HANDLERS
from srs_access.models import audit_log, idempotency, messaging
from srs_access.settings import AccessSettings
from srs_common.app import Runtime, ServiceSpec, create_service_app
from srs_common.auth import StaticKeys
from srs_common.config import ServiceSettings
from srs_common.tokens import jwks


def _own_keys(settings: ServiceSettings) -> StaticKeys:
    # The issuer verifies its own tokens without an HTTP round trip to itself.
    assert isinstance(settings, AccessSettings)
    return StaticKeys(jwks(*identity.published_keys(settings)))


async def _load_signing_key(app: FastAPI, runtime: Runtime) -> None:
    keys = identity.published_keys(runtime.settings)  # type: ignore[arg-type]
    app.state.signing_key, app.state.published_keys = keys[0], keys


def spec() -> ServiceSpec:
    return ServiceSpec(
        name="access",
        title="SRS access",
        description="Dataset catalogue, project spaces, accounts, access decisions, "
        "home working, pseudonymisation; the embedded token issuer.",
        version="0.1.0",
        messaging=messaging,
        idempotency=idempotency,
        routers=[identity.router, oidc.router, *ROUTERS],
        handlers=HANDLERS,
        consumed_topics=CONSUMED_TOPICS,
        key_source=_own_keys,
        startup=[_load_signing_key],
        jobs=[audit_log.sealer_job()],
        # CSV files of any size stream through pseudonymisation in constant memory.
        # An ingestion request's files together (each at most ingestion_max_file_bytes):
        # the check reads them whole, so they are held in memory.
        body_limits={r"/v1/pseudonymise": None, r"/v1/ingestion-requests": 128 * 1024 * 1024},
    )


def create_app(settings: AccessSettings | None = None) -> FastAPI:
    return create_service_app(spec(), settings or AccessSettings())
