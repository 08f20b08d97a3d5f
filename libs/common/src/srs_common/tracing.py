"""OpenTelemetry traces across HTTP, the database, the outbox and the event bus.

Off unless an OTLP endpoint is configured (``SRS_OTEL_EXPORTER_OTLP_ENDPOINT``, or the
standard ``OTEL_EXPORTER_OTLP_ENDPOINT`` / ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``). While
off, nothing of OpenTelemetry is imported and every hook below is one dictionary lookup:
an API process stays as lean as it was.

When on, each service process gets its own tracer provider (``service.name`` = the
service) and:

- FastAPI requests, httpx calls and SQLAlchemy statements are spans (the official
  instrumentations);
- :func:`srs_common.events.outbox.publish` stores the W3C trace context current at the
  write (``traceparent``, ``tracestate``) on the outbox row, beside the correlation id;
- the relay publishes each row inside a ``publish <topic>`` producer span, a child of the
  stored context, and sends that span's context as the CloudEvents distributed-tracing
  extension (``ce_traceparent``, ``ce_tracestate`` headers);
- every consumer handles an event inside a ``process <topic>`` consumer span continuing
  the event's trace, so the handler's database spans and the events it writes in turn
  belong to the same trace;
- JSON log lines carry ``trace_id`` and ``span_id`` (:mod:`srs_common.observability`).

Tests install an exporter of their own with :func:`use_exporter` (e.g. the SDK's
in-memory exporter) before building the apps.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Span, Tracer
    from sqlalchemy.ext.asyncio import AsyncEngine

    from srs_common.config import PlatformSettings
    from srs_common.events.envelope import Event

log = logging.getLogger(__name__)

TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"
# The CloudEvents distributed-tracing extension, in Kafka binary mode.
CE_TRACEPARENT = "ce_traceparent"
CE_TRACESTATE = "ce_tracestate"
# The platform's correlation id on server and consumer spans: a saga found either way.
CORRELATION_ATTRIBUTE = "srs.correlation_id"


@dataclass
class Tracing:
    """One service's tracer provider and tracer."""

    service: str
    provider: TracerProvider
    tracer: Tracer


# Service name -> its tracing; empty while tracing is off (the fast path checks this).
_services: dict[str, Tracing] = {}
_test_exporter: SpanExporter | None = None
_httpx_instrumented = False


def _env_true(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")


def otlp_endpoint(platform: PlatformSettings) -> str | None:
    """Where spans go: the platform setting first, then the standard OTEL variables."""
    if platform.otel_exporter_otlp_endpoint:
        return platform.otel_exporter_otlp_endpoint
    return os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or os.environ.get(
        "OTEL_EXPORTER_OTLP_ENDPOINT"
    )


def tracing_configured(platform: PlatformSettings) -> bool:
    if _test_exporter is not None:
        return True
    if _env_true("OTEL_SDK_DISABLED") or os.environ.get("OTEL_TRACES_EXPORTER") == "none":
        return False
    return bool(otlp_endpoint(platform))


def use_exporter(exporter: SpanExporter | None) -> None:
    """Send every span of the apps built from now on to ``exporter`` (tests); ``None``
    turns tracing off again for apps built later."""
    global _test_exporter, _httpx_instrumented
    _test_exporter = exporter
    _services.clear()
    if exporter is None and _httpx_instrumented:
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        HTTPXClientInstrumentor().uninstrument()
        _httpx_instrumented = False


def _otlp_exporter(platform: PlatformSettings) -> SpanExporter:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    if platform.otel_exporter_otlp_endpoint:
        base = platform.otel_exporter_otlp_endpoint.rstrip("/")
        url = base if base.endswith("/v1/traces") else f"{base}/v1/traces"
        return OTLPSpanExporter(endpoint=url)
    # The standard variables (endpoint, headers, timeout, certificates) are read by the
    # exporter itself.
    return OTLPSpanExporter()


def configure(service: str, platform: PlatformSettings) -> Tracing | None:
    """Start tracing for ``service`` in this process when configured; None when off."""
    existing = _services.get(service)
    if existing is not None:
        return existing
    if not tracing_configured(platform):
        return None
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    resource = Resource.create({"service.name": service, "service.namespace": "srs"})
    provider = TracerProvider(
        resource=resource, sampler=ParentBased(TraceIdRatioBased(platform.otel_sample_ratio))
    )
    if _test_exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(_test_exporter))
    else:
        provider.add_span_processor(BatchSpanProcessor(_otlp_exporter(platform)))
        log.info("tracing on: spans of %s exported over OTLP", service)
    tracing = Tracing(service, provider, provider.get_tracer("srs_common"))
    _services[service] = tracing
    _instrument_httpx(provider)
    return tracing


def _instrument_httpx(provider: TracerProvider) -> None:
    # httpx's instrumentation patches the transports of the whole process, once.
    global _httpx_instrumented
    if _httpx_instrumented:
        return
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    _httpx_instrumented = True


def instrument_app(app: Any, service: str) -> None:
    """Server spans for every request of ``app`` (health and readiness probes excluded)."""
    tracing = _services.get(service)
    if tracing is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=tracing.provider, excluded_urls="healthz,readyz"
    )


def instrument_engine(engine: AsyncEngine, service: str) -> None:
    """A span for every statement ``engine`` runs (the current span is its parent)."""
    tracing = _services.get(service)
    if tracing is None:
        return
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import NoOpMeterProvider

    usage = (
        NoOpMeterProvider()
        .get_meter("srs_common")
        .create_up_down_counter("db.client.connections.usage")
    )
    EngineTracer(tracing.tracer, engine.sync_engine, usage)  # type: ignore[no-untyped-call]


def tracer(service: str) -> Tracer | None:
    tracing = _services.get(service)
    return tracing.tracer if tracing is not None else None


# -- context on the wire ----------------------------------------------------------------
def current_context() -> tuple[str | None, str | None]:
    """The W3C ``traceparent`` and ``tracestate`` of the current span (None, None when
    tracing is off or there is no span): what an outbox row keeps for the relay."""
    if not _services:
        return None, None
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    carrier: dict[str, str] = {}
    TraceContextTextMapPropagator().inject(carrier)
    # The outbox column's width; W3C lets a receiver drop a tracestate it cannot keep.
    state = carrier.get(TRACESTATE)
    return carrier.get(TRACEPARENT), state if state and len(state) <= 512 else None


def _extract(traceparent: str | None, tracestate: str | None) -> Any:
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    carrier = {TRACEPARENT: traceparent or ""}
    if tracestate:
        carrier[TRACESTATE] = tracestate
    return TraceContextTextMapPropagator().extract(carrier)


def current_ids() -> tuple[str | None, str | None]:
    """Hex trace and span ids of the current span, for log lines; (None, None) when off."""
    if not _services:
        return None, None
    from opentelemetry.trace import get_current_span

    context = get_current_span().get_span_context()
    if not context.is_valid:
        return None, None
    return f"{context.trace_id:032x}", f"{context.span_id:016x}"


# -- the bus ------------------------------------------------------------------------------
def start_publish(
    tracer: Tracer,
    *,
    topic: str,
    event_id: str,
    event_type: str,
    source: str,
    subject: str | None,
    traceparent: str | None,
    tracestate: str | None,
) -> tuple[Span, str | None, str | None]:
    """A producer span for one outbox row, child of the context stored with it; returns
    the span and the context to send in the event's headers (the span's own)."""
    from opentelemetry.trace import SpanKind, set_span_in_context
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    span = tracer.start_span(
        f"publish {topic}",
        context=_extract(traceparent, tracestate),
        kind=SpanKind.PRODUCER,
        attributes=_event_attributes(topic, event_id, event_type, source, subject),
    )
    carrier: dict[str, str] = {}
    TraceContextTextMapPropagator().inject(carrier, context=set_span_in_context(span))
    return span, carrier.get(TRACEPARENT, traceparent), carrier.get(TRACESTATE, tracestate)


def end_span(span: Span | None, error: BaseException | str | None = None) -> None:
    if span is None:
        return
    if error is not None:
        from opentelemetry.trace import Status, StatusCode

        if isinstance(error, BaseException):
            span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, str(error)[:200]))
    span.end()


def _process_span_args(consumer: str, event: Event) -> tuple[str, Any, dict[str, Any]]:
    """The name, parent context and attributes of ``consumer``'s span for ``event``."""
    raw_parent = event.headers.get(CE_TRACEPARENT)
    raw_state = event.headers.get(CE_TRACESTATE)
    parent = _extract(
        raw_parent.decode("latin-1") if raw_parent else None,
        raw_state.decode("latin-1") if raw_state else None,
    )
    attributes = _event_attributes(event.topic, event.id, event.type, event.source, event.subject)
    attributes["messaging.consumer.group.name"] = consumer
    attributes["messaging.destination.partition.id"] = str(event.partition)
    attributes["messaging.kafka.offset"] = event.offset
    if event.correlation_id:
        attributes[CORRELATION_ATTRIBUTE] = event.correlation_id
    return f"process {event.topic}", parent, attributes


@contextlib.contextmanager
def process_span(tracer: Tracer | None, consumer: str, event: Event) -> Iterator[None]:
    """The current span while ``consumer`` handles ``event``: a consumer span continuing
    the trace the event carries (a new trace when it carries none)."""
    if tracer is None:
        yield
        return
    from opentelemetry.trace import SpanKind

    name, parent, attributes = _process_span_args(consumer, event)
    with tracer.start_as_current_span(
        name, context=parent, kind=SpanKind.CONSUMER, attributes=attributes
    ):
        yield


@contextlib.contextmanager
def process_spans(tracer: Tracer | None, consumer: str, events: list[Event]) -> Iterator[None]:
    """:func:`process_span` for a run a set-based handler applies together: one consumer
    span per event, each in the trace its event carries, all ending when the run is
    applied (a failed run marks every one failed). None is current: what the run
    publishes is not a child of any one of them."""
    if tracer is None:
        yield
        return
    from opentelemetry.trace import SpanKind, Status, StatusCode

    spans = []
    for event in events:
        name, parent, attributes = _process_span_args(consumer, event)
        spans.append(
            tracer.start_span(name, context=parent, kind=SpanKind.CONSUMER, attributes=attributes)
        )
    try:
        yield
    except BaseException as exc:
        for span in spans:
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, repr(exc)))
        raise
    finally:
        for span in spans:
            span.end()


def annotate_current(key: str, value: str) -> None:
    """Set an attribute on the current span (e.g. the request's correlation id)."""
    if not _services:
        return
    from opentelemetry.trace import get_current_span

    get_current_span().set_attribute(key, value)


def mark_current_failed(reason: str) -> None:
    """Flag the current span as failed (an event that went to dead letters)."""
    if not _services:
        return
    from opentelemetry.trace import Status, StatusCode, get_current_span

    get_current_span().set_status(Status(StatusCode.ERROR, reason[:200]))


def _event_attributes(
    topic: str, event_id: str, event_type: str, source: str, subject: str | None
) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "messaging.system": "kafka",
        "messaging.destination.name": topic,
        "messaging.message.id": event_id,
        "cloudevents.event_id": event_id,
        "cloudevents.event_type": event_type,
        "cloudevents.event_source": source,
    }
    if subject is not None:
        attributes["cloudevents.event_subject"] = subject
        attributes["messaging.kafka.message.key"] = subject
    return attributes
