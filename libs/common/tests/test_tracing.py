"""Tracing: one project approval is one trace, from the panel's HTTP request through the
projects outbox and relay, the access consumer, ``project_space.provisioned`` and the
projects consumer to the activation; and log lines carry its ids.

Two services in process with their relays and consumers on, over the real broker; spans
go to the SDK's in-memory exporter (srs_common.tracing.use_exporter)."""

from __future__ import annotations

import asyncio
import datetime as dt
import http.server
import io
import json
import logging
import threading
import uuid
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import select

from srs_common import tracing
from srs_common.config import PlatformSettings
from srs_common.contracts.accreditation import AccreditationGranted
from srs_common.events.envelope import decode, to_headers
from srs_common.observability import configure_logging
from srs_common.testing import platform_settings

TODAY = dt.datetime.now(dt.UTC).date()
APPLICATION: dict[str, Any] = {
    "title": "Burglary security effectiveness",
    "lay_summary": "Which home security measures protect against burglary.",
    "public_benefit": "Evidence for crime prevention advice.",
    "organisation_id": "org-ntu",
    "legal_gateway": "DEA",
    "dataset_ids": ["ds-csew-2019"],
    "expected_start_date": str(TODAY + dt.timedelta(days=30)),
    "expected_end_date": str(TODAY + dt.timedelta(days=400)),
    "ethics_confirmed": True,
    "data_source_acknowledged": True,
}


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    tracing.use_exporter(exporter)
    try:
        yield exporter
    finally:
        tracing.use_exporter(None)


async def eventually(check: Any, timeout: float = 60.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value:
            return value
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


READERS = {"access", "booking", "clearance", "notify", "ops"}


def service_of(span: ReadableSpan) -> str:
    return str(span.resource.attributes["service.name"])


def event_span(
    found: list[ReadableSpan], service: str, kind: SpanKind, event_type: str
) -> ReadableSpan:
    matches = [
        s
        for s in found
        if service_of(s) == service
        and s.kind == kind
        and s.attributes is not None
        and s.attributes.get("cloudevents.event_type") == event_type
    ]
    assert len(matches) == 1, (service, kind, event_type, [s.name for s in found])
    return matches[0]


def descends_from(span: ReadableSpan, ancestor: ReadableSpan, by_id: dict[int, Any]) -> bool:
    current: ReadableSpan | None = span
    while current is not None and current.parent is not None:
        if current.parent.span_id == ancestor.context.span_id:
            return True
        current = by_id.get(current.parent.span_id)
    return False


async def accredit(deliver: Any, client: Any, researcher_id: str) -> None:
    granted = AccreditationGranted(
        accreditation_id=f"acc-{researcher_id}",
        researcher_id=researcher_id,
        organisation_id="org-ntu",
        kind="full",
        status="current",
        valid_from=TODAY,
        valid_until=TODAY + dt.timedelta(days=1000),
        occurred_at=dt.datetime.now(dt.UTC),
    )
    assert await deliver(client, granted, subject=researcher_id, source="/srs/accreditation")


async def test_one_approval_is_one_trace_across_services(
    spans, service_client, deliver, broker, tokens
):
    lead = f"res-trace-{uuid.uuid4().hex[:8]}"
    bus = {"bootstrap": broker.bootstrap, "run_relay": True, "run_consumers": True}
    async with (
        service_client("projects", **bus) as projects,
        service_client("access", **bus) as access,
        # Every other service that reads the approval joins the same trace.
        service_client("booking", **bus),
        service_client("clearance", **bus),
        service_client("notify", **bus),
        service_client("ops", **bus),
    ):
        for client in (projects, access):
            await accredit(deliver, client, lead)
        researcher = tokens.headers("researcher", researcher_id=lead)
        panel = tokens.headers("panel", sub="panel-1")
        response = await projects.post("/v1/projects", json=APPLICATION, headers=researcher)
        assert response.status_code == 201, response.text
        project_id = response.json()["id"]
        for step, headers, body in (
            ("submit", researcher, None),
            ("review", panel, None),
        ):
            response = await projects.post(
                f"/v1/projects/{project_id}/{step}", json=body, headers=headers
            )
            assert response.status_code == 200, response.text
        spans.clear()
        response = await projects.post(
            f"/v1/projects/{project_id}/approve", json={"reason": "clear benefit"}, headers=panel
        )
        assert response.status_code == 200, response.text
        correlation = response.headers["X-Correlation-ID"]

        async def active() -> bool:
            body = (await projects.get(f"/v1/projects/{project_id}", headers=researcher)).json()
            return bool(body["status"] == "active")

        await eventually(active)

        async def activation_published() -> bool:
            return any(
                s.kind == SpanKind.PRODUCER
                and s.attributes is not None
                and s.attributes.get("cloudevents.event_type") == "srs.project.activated.v1"
                and s.attributes.get("cloudevents.event_subject") == project_id
                for s in spans.get_finished_spans()
            )

        await eventually(activation_published)

        async def every_reader_handled_the_approval() -> bool:
            return {
                service_of(s)
                for s in spans.get_finished_spans()
                if s.kind == SpanKind.CONSUMER
                and s.attributes is not None
                and s.attributes.get("cloudevents.event_type") == "srs.project.approved.v1"
                and s.attributes.get("cloudevents.event_subject") == project_id
            } >= READERS

        await eventually(every_reader_handled_the_approval)

    found = list(spans.get_finished_spans())
    approve = [
        s
        for s in found
        if s.kind == SpanKind.SERVER
        and service_of(s) == "projects"
        and s.attributes is not None
        and s.attributes.get("http.route") == "/v1/projects/{project_id}/approve"
    ]
    assert len(approve) == 1, [s.name for s in found]
    trace_id = approve[0].context.trace_id
    in_trace = [s for s in found if s.context.trace_id == trace_id]
    by_id = {s.context.span_id: s for s in in_trace}

    # The chain, each link a descendant of the one before, in the services that own it.
    chain = [
        approve[0],
        event_span(in_trace, "projects", SpanKind.PRODUCER, "srs.project.approved.v1"),
        event_span(in_trace, "access", SpanKind.CONSUMER, "srs.project.approved.v1"),
        event_span(in_trace, "access", SpanKind.PRODUCER, "srs.project_space.provisioned.v1"),
        event_span(in_trace, "projects", SpanKind.CONSUMER, "srs.project_space.provisioned.v1"),
        event_span(in_trace, "projects", SpanKind.PRODUCER, "srs.project.activated.v1"),
    ]
    for parent, child in zip(chain, chain[1:], strict=False):
        assert descends_from(child, parent, by_id), (parent.name, child.name)
    # The services that only read the approval handle it inside the same trace too.
    # (ops reads it twice: its event store and its webhook deliveries.)
    for reader in sorted(READERS):
        handled = [
            s
            for s in in_trace
            if service_of(s) == reader
            and s.kind == SpanKind.CONSUMER
            and (s.attributes or {}).get("cloudevents.event_type") == "srs.project.approved.v1"
        ]
        assert handled, f"{reader} handled the approval outside its trace"
        assert all(descends_from(h, chain[1], by_id) for h in handled), reader
    # The correlation id travels beside the trace: on the request's and the consumers' spans.
    for span in (chain[0], chain[2], chain[4]):
        assert span.attributes is not None
        assert span.attributes["srs.correlation_id"] == correlation

    # The approval's own database work, and each handler's, are spans of the same trace.
    def statements_under(ancestor: ReadableSpan, service: str) -> list[ReadableSpan]:
        return [
            s
            for s in in_trace
            if service_of(s) == service
            and ({"db.statement", "db.query.text"} & set(s.attributes or {}))
            and descends_from(s, ancestor, by_id)
        ]

    assert statements_under(chain[0], "projects"), "no database span under the approval"
    assert statements_under(chain[2], "access"), "no database span under the access handler"
    assert statements_under(chain[4], "projects"), "no database span under the activation"


async def test_trace_context_rides_on_the_outbox_row_and_the_event_headers(
    spans, service_client, deliver, tokens
):
    """What is stored and sent: the outbox row keeps the submission's traceparent, and the
    CloudEvents headers carry it as the distributed-tracing extension."""
    async with service_client("projects") as projects:
        lead = f"res-trace-{uuid.uuid4().hex[:8]}"
        await accredit(deliver, projects, lead)
        response = await projects.post(
            "/v1/projects",
            json=APPLICATION,
            headers=tokens.headers("researcher", researcher_id=lead),
        )
        assert response.status_code == 201, response.text
        response = await projects.post(
            f"/v1/projects/{response.json()['id']}/submit",
            headers=tokens.headers("researcher", researcher_id=lead),
        )
        assert response.status_code == 200, response.text
        server = [s for s in spans.get_finished_spans() if s.kind == SpanKind.SERVER]
        assert server
        trace_id = f"{server[-1].context.trace_id:032x}"
        outbox = projects.runtime.db.messaging.outbox
        async with projects.runtime.db.engine.connect() as conn:
            rows = (await conn.execute(select(outbox.c.traceparent, outbox.c.type))).all()
        assert rows, "the submission wrote no event"
        assert all(r.traceparent and r.traceparent.split("-")[1] == trace_id for r in rows)

    headers = to_headers(
        event_id="e-1",
        source="/srs/projects",
        event_type="srs.project.submitted.v1",
        subject="prj-1",
        time=dt.datetime.now(dt.UTC),
        correlation_id=None,
        traceparent=rows[0].traceparent,
        tracestate="srs=1",
    )
    event = decode(value=b"{}", headers=headers, key=b"prj-1")
    assert event.headers["ce_traceparent"].decode() == rows[0].traceparent
    assert event.headers["ce_tracestate"] == b"srs=1"


async def test_log_lines_carry_the_trace_and_span_ids(spans, service_client, tokens):
    stream = io.StringIO()
    async with service_client("projects") as projects:
        # The app configured logging; capture the same JSON lines in memory.
        configure_logging("projects", level="INFO", json_logs=True)
        handler = logging.getLogger().handlers[0]
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(stream)  # type: ignore[arg-type]

        @projects.app.get("/__trace_log")  # type: ignore[attr-defined]
        async def log_something() -> dict[str, str]:
            logging.getLogger("srs.test").info("inside the request")
            return {"ok": "yes"}

        response = await projects.get("/__trace_log")
        assert response.status_code == 200
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    ours = [line for line in lines if line.get("message") == "inside the request"]
    assert len(ours) == 1
    server = [s for s in spans.get_finished_spans() if s.kind == SpanKind.SERVER][-1]
    assert ours[0]["trace_id"] == f"{server.context.trace_id:032x}"
    assert len(ours[0]["span_id"]) == 16
    # The correlation id is on the server span too: a saga is found from either id.
    assert server.attributes is not None
    assert server.attributes["srs.correlation_id"] == response.headers["X-Correlation-ID"]
    assert ours[0]["correlation_id"] == response.headers["X-Correlation-ID"]


def test_tracing_is_off_without_an_endpoint(monkeypatch):
    """The default (`make run`): no endpoint, no tracer, nothing on the outbox row."""
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    platform = PlatformSettings()
    assert tracing.configure("widgets-off", platform) is None
    assert tracing.current_context() == (None, None)
    assert tracing.current_ids() == (None, None)
    platform = PlatformSettings(otel_exporter_otlp_endpoint="http://collector:4318")
    assert tracing.tracing_configured(platform)


async def test_an_access_decision_keeps_its_requests_trace_on_the_event(
    spans, service_client, tokens
):
    """Access decisions write their outbox rows in a group commit of their own: the
    request's trace is kept there too, so access.granted / denied continue it."""
    async with service_client("access") as access:
        response = await access.post(
            "/v1/access-decisions",
            json={
                "researcher_id": "res-nobody",
                "project_id": "prj-none",
                "setting": "safe_room",
                "country": "GB",
                "site_id": "titchfield",
            },
            headers=tokens.headers("support", sub="session-gateway"),
        )
        assert response.status_code == 201, response.text
        assert response.json()["decision"] == "deny"
        server = [s for s in spans.get_finished_spans() if s.kind == SpanKind.SERVER][-1]
        outbox = access.runtime.db.messaging.outbox
        async with access.runtime.db.engine.connect() as conn:
            (row,) = (await conn.execute(select(outbox.c.traceparent, outbox.c.type))).all()
    assert row.type == "srs.access.denied.v1"
    assert row.traceparent.split("-")[1] == f"{server.context.trace_id:032x}"


class _OtlpReceiver(http.server.BaseHTTPRequestHandler):
    """A stand-in OpenTelemetry collector: keeps each OTLP/HTTP trace export it is sent."""

    received: ClassVar[list[tuple[str, bytes]]] = []

    def do_POST(self) -> None:  # noqa: N802 - the http.server hook's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


async def test_spans_are_exported_over_otlp_http_when_an_endpoint_is_configured(
    service_client, tokens
):
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _OtlpReceiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    platform = platform_settings(tokens).model_copy(
        update={"otel_exporter_otlp_endpoint": endpoint}
    )
    tracing.use_exporter(None)
    try:
        async with service_client("projects", platform=platform) as projects:
            response = await projects.get("/v1/projects", headers=tokens.headers("panel"))
            assert response.status_code == 200, response.text
            configured = tracing.configure("projects", platform)
            assert configured is not None
            assert configured.provider.force_flush()
    finally:
        tracing.use_exporter(None)
        server.shutdown()
    names = set()
    for path, body in _OtlpReceiver.received:
        assert path == "/v1/traces"
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            assert attributes["service.name"] == "projects"
            names |= {s.name for scope in resource_spans.scope_spans for s in scope.spans}
    assert "GET /v1/projects" in names, names


async def test_a_run_applied_together_has_a_consumer_span_per_event_in_its_trace(
    spans, service_client
):
    """The operations monitor stores a fetched run with one set-based call; each event
    still gets its consumer span, in the trace it carries, as one by one it would."""
    from srs_common.contracts.projects import ProjectApproved
    from srs_common.events.consumer import ConsumerRunner
    from srs_common.testing import consumer_record
    from srs_ops.monitor import HANDLERS

    parents = [(f"{n + 1:032x}", f"{n + 1:016x}") for n in range(3)]
    run = []
    for n, (trace_id, span_id) in enumerate(parents):
        record = consumer_record(
            ProjectApproved.model_validate(
                {**ProjectApproved.example, "project_id": f"prj-run-{n}"}
            ),
            subject=f"prj-run-{n}",
            offset=n,
        )
        traceparent = f"00-{trace_id}-{span_id}-01".encode()
        record.headers = [*record.headers, ("ce_traceparent", traceparent)]
        run.append(record)
    async with service_client("ops") as ops:
        runtime = ops.runtime  # type: ignore[attr-defined]
        runner = ConsumerRunner(runtime.db, runtime.settings, HANDLERS, [])
        await runner.records.process_all(run)
        assert runner.processed == 3
    consumed = [s for s in spans.get_finished_spans() if s.kind == SpanKind.CONSUMER]
    assert sorted(
        (f"{s.context.trace_id:032x}", f"{s.parent.span_id:016x}")
        for s in consumed
        if s.parent is not None
    ) == sorted(parents)
    assert {(s.attributes or {}).get("messaging.kafka.offset") for s in consumed} == {0, 1, 2}
