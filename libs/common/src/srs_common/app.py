"""Building a service: one FastAPI app factory with the platform's plumbing.

Every service describes itself as a :class:`ServiceSpec` (routers, consumed event
handlers, periodic jobs) and gets, the same way everywhere: problem+json errors,
correlation ids, security headers, ``/healthz``, ``/readyz``, the messaging status,
token verification, Prometheus metrics on a port of their own (:mod:`srs_common.metrics`:
the API port answers 404 for ``/metrics``), and a lifespan that runs the outbox relay, the
consumers and the periodic jobs as background tasks that never block HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy import Table, text

from srs_common.apidocs import docs_router
from srs_common.auth import KeySource, RemoteJwks, StaticKeys, TokenVerifier, require_roles
from srs_common.bodylimit import BodyLimitMiddleware
from srs_common.config import ServiceSettings, check_secrets
from srs_common.db import Database
from srs_common.errors import install_error_handlers
from srs_common.events.bus import broker_reachable
from srs_common.events.outbox import OUTBOX_WRITTEN
from srs_common.events.tables import MessagingTables
from srs_common.headers import SecurityHeadersMiddleware
from srs_common.idempotency import IdempotencyMiddleware
from srs_common.metrics import MetricsApp, MetricsServer
from srs_common.observability import ObservabilityMiddleware, configure_logging
from srs_common.openapi import document, operation_id
from srs_common.ratelimit import RateLimitMiddleware
from srs_common.tracing import configure as configure_tracing
from srs_common.tracing import instrument_app, instrument_engine

if TYPE_CHECKING:
    # Imported only where they are used (see create_service_app).
    from srs_common.events.consumer import ConsumerRunner, Handler
    from srs_common.events.relay import Relay

log = logging.getLogger(__name__)

Job = Callable[["Runtime"], Coroutine[Any, Any, None]]


@dataclass
class ServiceSpec:
    """What makes a service itself; everything else is shared."""

    name: str
    title: str
    description: str
    version: str
    messaging: MessagingTables
    routers: Sequence[APIRouter] = ()
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    consumed_topics: Sequence[str] = ()
    # Long-running background loops (periodic jobs); each gets the runtime.
    jobs: Sequence[Job] = ()
    # Token keys; default: the platform's JWKS URL.
    key_source: Callable[[ServiceSettings], KeySource] | None = None
    startup: Sequence[Callable[[FastAPI, Runtime], Awaitable[None]]] = ()
    openapi_tags: list[dict[str, Any]] | None = None
    # The service's idempotency table (srs_common.idempotency.idempotency_table): when
    # given, every POST honours an Idempotency-Key header.
    idempotency: Table | None = None
    # Path regex (full match) -> body size limit in bytes (None: unlimited, e.g. streamed
    # uploads);
    # everything else gets the ``max_body_bytes`` setting.
    body_limits: Mapping[str, int | None] = field(default_factory=dict)
    # Sources the service's HTML pages need beyond the platform's Content-Security-Policy
    # (srs_common.headers.PAGE_POLICY), by directive: {"script-src": ["https://..."]}.
    page_sources: Mapping[str, Sequence[str]] = field(default_factory=dict)
    # Called last with the built app, wherever it is built (``python -m srs_<svc>``, the
    # one-process stack, tests): additions such as ops' webhooks in the OpenAPI document.
    extend: Sequence[Callable[[FastAPI], None]] = ()


@dataclass
class Runtime:
    """The live parts of one service process."""

    settings: ServiceSettings
    db: Database
    relay: Relay | None = None
    consumer: ConsumerRunner | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)

    def start_background(
        self, spec: ServiceSpec, *, relay: bool, consumers: bool, jobs: bool
    ) -> None:
        if relay:
            from srs_common.events.relay import Relay

            self.relay = Relay(self.db, self.settings)
            self.db.after_commit_hooks.append(self._wake_relay)
            if self.db.outbox_signal is not None:
                self.db.outbox_signal.relay = self.relay  # no NOTIFY while it leads
            self.tasks.append(asyncio.create_task(self.relay.run(), name="relay"))
        if consumers and spec.handlers:
            from srs_common.events.consumer import ConsumerRunner

            self.consumer = ConsumerRunner(
                self.db, self.settings, spec.handlers, list(spec.consumed_topics)
            )
            self.tasks.append(asyncio.create_task(self.consumer.run(), name="consumer"))
        if jobs:
            for job in spec.jobs:
                self.tasks.append(
                    asyncio.create_task(job(self), name=getattr(job, "__name__", "job"))
                )

    def _wake_relay(self, session: Any) -> None:
        if self.relay is not None and session.info.get(OUTBOX_WRITTEN):
            self.relay.wake()

    async def stop(self, timeout: float = 10.0) -> None:
        for task in self.tasks:
            task.cancel()
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=timeout)
        self.tasks.clear()
        await self.db.dispose()


def make_database(spec: ServiceSpec, settings: ServiceSettings) -> Database:
    return Database(
        settings.database_url,
        service=spec.name,
        messaging=spec.messaging,
        pool_size=settings.db_pool_size,
        settings=settings,
    )


def health_router(spec: ServiceSpec) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        """Answers 200 while the process runs, without touching the database or the broker: for
        liveness probes."""
        return {"status": "ok", "service": spec.name}

    @router.get(
        "/readyz",
        summary="Readiness: database and broker reachable",
        responses={503: {"description": "a dependency is unreachable"}},
    )
    async def readyz(request: Request) -> JSONResponse:
        """Checks the database (a SELECT 1) and that the broker is reachable; 503 with the failing
        check named while either is not, so a load balancer stops routing here."""
        runtime: Runtime = request.app.state.runtime
        checks: dict[str, str] = {}
        try:
            async with runtime.db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            checks["database"] = f"unreachable: {type(exc).__name__}"
        reachable = await broker_reachable(runtime.settings.platform)
        checks["broker"] = "ok" if reachable else "unreachable"
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ready" if ok else "not ready", "checks": checks},
            status_code=200 if ok else 503,
        )

    @router.get(
        "/v1/messaging",
        summary="Outbox backlog, relay and consumer state",
        tags=["operations"],
        dependencies=[Depends(require_roles("ops", "support"))],
    )
    async def messaging(request: Request) -> dict[str, Any]:
        """The outbox backlog (events written but not yet published), the relay's and the
        consumers' state in this process. Roles ops and support."""
        from srs_common.events.relay import Relay

        runtime: Runtime = request.app.state.runtime
        relay = runtime.relay or Relay(runtime.db, runtime.settings)
        return {
            "service": spec.name,
            "outbox_backlog": await relay.backlog(),
            "relay": runtime.relay.state() if runtime.relay else None,
            "consumer": runtime.consumer.state() if runtime.consumer else None,
        }

    return router


def metrics_refresher(spec: ServiceSpec, runtime: Runtime) -> Callable[[], Awaitable[None]]:
    """What a scrape reads at scrape time: the outbox backlog, where this process relays."""

    async def refresh() -> None:
        if runtime.relay is not None:
            from srs_common.observability import OUTBOX_BACKLOG

            OUTBOX_BACKLOG.labels(spec.name).set(await runtime.relay.backlog())

    return refresh


def create_service_app(
    spec: ServiceSpec,
    settings: ServiceSettings,
    *,
    api: bool = True,
    metrics_port: int | None = None,
) -> FastAPI:
    """The FastAPI app of one service, with relay and consumers per its settings.

    ``api=False`` serves only health, readiness and messaging state: the HTTP face of a
    process that runs the relay or the consumers alone. ``metrics_port``: serve Prometheus
    metrics there (on ``settings.host``) while the app runs; the serving command gives it
    (:func:`srs_common.metrics.metrics_port_for`), in-process test clients leave it out."""
    configure_logging(
        spec.name, level=settings.platform.log_level, json_logs=settings.platform.log_json
    )
    # Production mode refuses development, empty or weak secrets before anything serves.
    check_secrets(settings)
    # Only when configured: the SDK and instrumentations are imported here or never.
    configure_tracing(spec.name, settings.platform)
    # Import what the lifespan will start now, with the rest of the app: a serving process
    # has loaded everything before it starts, and one that runs neither relay nor
    # consumers never loads them (nor aiokafka under them).
    if settings.run_relay:
        import srs_common.events.relay  # noqa: F401
    if settings.run_consumers and spec.handlers:
        import srs_common.events.consumer  # noqa: F401

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime(settings=settings, db=make_database(spec, settings))
        instrument_engine(runtime.db.engine, spec.name)
        app.state.runtime = runtime
        app.state.db = runtime.db
        app.state.settings = settings
        for hook in spec.startup:
            await hook(app, runtime)
        runtime.start_background(
            spec,
            relay=settings.run_relay,
            consumers=settings.run_consumers,
            jobs=settings.run_consumers,
        )
        metrics = None
        if metrics_port is not None:
            metrics = MetricsServer(
                MetricsApp(metrics_refresher(spec, runtime)), settings.host, metrics_port
            )
        try:
            if metrics is not None:
                await metrics.start()
            yield
        finally:
            if metrics is not None:
                await metrics.stop()
            await runtime.stop()

    app = FastAPI(
        title=spec.title,
        description=spec.description,
        version=spec.version,
        lifespan=lifespan,
        openapi_tags=spec.openapi_tags,
        # Stable, readable operationIds (<tag>.<verb>) for client generators.
        generate_unique_id_function=operation_id,
        # Served by srs_common.apidocs from installed assets, never from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    keys: KeySource
    if spec.key_source is not None:
        keys = spec.key_source(settings)
    elif settings.platform.jwks_json:
        keys = StaticKeys(json.loads(settings.platform.jwks_json))
    else:
        keys = RemoteJwks(
            settings.platform.jwks_url, cache_seconds=settings.platform.jwks_cache_seconds
        )
    app.state.verifier = TokenVerifier(
        keys, issuer=settings.platform.jwt_issuer, audience=settings.platform.jwt_audience
    )
    app.state.spec = spec
    # Read by srs_common.context.app_settings (also before the lifespan has run).
    app.state.settings = settings
    install_error_handlers(app)
    # Added innermost first:
    # observability -> CORS -> body limit -> rate limit -> idempotency -> routes.
    if spec.idempotency is not None:
        app.add_middleware(
            IdempotencyMiddleware,
            table=spec.idempotency,
            ttl_hours=settings.platform.idempotency_ttl_hours,
        )
    app.add_middleware(RateLimitMiddleware, platform=settings.platform, service=spec.name)
    app.add_middleware(
        BodyLimitMiddleware, default=settings.max_body_bytes, overrides=spec.body_limits
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.platform.cors_origins,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=[
            "X-Correlation-ID",
            "ETag",
            "Location",
            "Retry-After",
            "Idempotent-Replayed",
        ],
    )
    app.add_middleware(ObservabilityMiddleware, service=spec.name)
    # The server span (when tracing is on) wraps every middleware but the security headers.
    instrument_app(app, spec.name)
    _outermost(app, lambda inner: SecurityHeadersMiddleware(inner, spec.page_sources))
    app.include_router(health_router(spec))
    # At the root and under the service's own prefix (the one API origin's route to it).
    app.include_router(docs_router(app, ("", f"/{spec.name}")))
    for router in spec.routers if api else ():
        app.include_router(router)
    document(app, settings)
    for extension in spec.extend:
        extension(app)
    return app


def _outermost(app: FastAPI, middleware: Callable[[Any], Any]) -> None:
    """Wrap ``middleware`` around the whole stack, Starlette's own error handler included,
    so that even an unexpected 500 passes through it."""
    build = app.build_middleware_stack

    def build_wrapped() -> Any:
        return middleware(build())

    app.build_middleware_stack = build_wrapped  # type: ignore[method-assign]
