"""JSON logs carrying a correlation id (and the trace and span ids when tracing is on:
:mod:`srs_common.tracing`), and the Prometheus metrics every service exports.

The correlation id enters with an HTTP request (``X-Correlation-ID`` or a new one),
is stamped on every outbox event the request writes, and is restored by the consumer
while it handles that event, so one id follows a saga across services.
"""

from __future__ import annotations

import contextvars
import logging
import sys
import time
import uuid
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from srs_common.tracing import CORRELATION_ATTRIBUTE, annotate_current, current_ids

correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "correlation_id", default=None
)

# The service a piece of work belongs to, where one process serves several
# (srs_common.together); unset, a log line names the process's own service.
service_name: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "service_name", default=None
)

CORRELATION_HEADER = "x-correlation-id"

HTTP_LATENCY = Histogram(
    "srs_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route", "status"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OUTBOX_BACKLOG = Gauge("srs_outbox_backlog", "Outbox rows not yet published", ["service"])
EVENTS_PUBLISHED = Counter("srs_events_published_total", "Events published", ["service", "type"])
EVENTS_CONSUMED = Counter(
    "srs_events_consumed_total", "Events consumed", ["consumer", "type", "outcome"]
)
EVENT_HANDLING = Histogram(
    "srs_event_handling_seconds",
    "Time to apply one consumed event (handler, inbox, commit)",
    ["consumer", "type"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
EVENT_DELAY = Histogram(
    "srs_event_delay_seconds",
    "From the broker's timestamp of a consumed event to its handling",
    ["consumer"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
CONSUMER_LAG = Gauge(
    "srs_consumer_lag", "Messages behind the partition end", ["consumer", "topic", "partition"]
)
DEAD_LETTERS = Counter("srs_dead_letters_total", "Messages sent to dead letters", ["consumer"])
RELAY_ACTIVE = Gauge("srs_relay_active", "1 when this process holds the relay lease", ["service"])


def current_correlation_id() -> str | None:
    return correlation_id.get()


class _ContextFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = service_name.get() or self.service
        record.correlation_id = correlation_id.get()
        # Null while tracing is off (srs_common.tracing imports nothing then).
        record.trace_id, record.span_id = current_ids()
        return True


def configure_logging(service: str, *, level: str = "INFO", json_logs: bool = True) -> None:
    """Route the root logger to stdout, as JSON with service and correlation id."""
    handler = logging.StreamHandler(sys.stdout)
    if json_logs:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(correlation_id)s"
                " %(trace_id)s %(span_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s %(levelname)s [%(service)s %(correlation_id)s] %(name)s: %(message)s"
            )
        )
    handler.addFilter(_ContextFilter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, root.level))


class ObservabilityMiddleware:
    """Pure ASGI middleware: correlation id in and out, latency histogram by route."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        for name, value in scope.get("headers", ()):
            if name == b"x-correlation-id":
                incoming = value.decode("latin-1")[:128]
                break
        cid = incoming or str(uuid.uuid4())
        token = correlation_id.set(cid)
        annotate_current(CORRELATION_ATTRIBUTE, cid)
        status = 500
        started = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                headers.append((b"x-correlation-id", cid.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            HTTP_LATENCY.labels(self.service, scope["method"], path, str(status)).observe(
                time.perf_counter() - started
            )
            correlation_id.reset(token)


def log_extra(**fields: Any) -> dict[str, Any]:
    return {"extra": fields}
