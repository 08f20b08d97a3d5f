"""Routes of the ops API: read-only monitoring (roles ops, support) and dead-letter
replay or discard (role support)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

from aiokafka import AIOKafkaProducer
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sse_starlette.sse import EventSourceResponse

from srs_common.auth import Principal, require_roles
from srs_common.context import AppSettings
from srs_common.db import SessionDep
from srs_common.errors import problem_responses
from srs_common.events.bus import make_producer, stop_quietly
from srs_common.ids import RowId
from srs_common.pagination import Cursor, Limit, Page
from srs_common.params import DateTimeParam
from srs_ops import service
from srs_ops.asyncapi import asyncapi_document
from srs_ops.domain import Resolution
from srs_ops.privacy import sees_personal_data
from srs_ops.schemas import (
    DeadLetterDecision,
    DeadLetterDetail,
    DeadLetterRead,
    EventRead,
    GroupLagRead,
    LagRead,
    SagaRead,
    ServiceMessagingRead,
)

router = APIRouter(prefix="/v1", tags=["ops"])

Watcher = Annotated[Principal, Depends(require_roles("ops", "support"))]
Support = Annotated[Principal, Depends(require_roles("support"))]

MASKED = (
    " For the `ops` role, fields the contracts declare personal (names, e-mail "
    "addresses) read `[personal data: masked]`; `support` sees them whole."
)


class EventFilters:
    """The filters shared by search and the live stream."""

    def __init__(
        self,
        type: Annotated[
            str | None, Query(max_length=200, examples=["srs.project.approved.v1"])
        ] = None,
        subject: Annotated[str | None, Query(max_length=200)] = None,
        source: Annotated[str | None, Query(max_length=200, examples=["/srs/projects"])] = None,
        correlation_id: Annotated[str | None, Query(max_length=128)] = None,
        since: Annotated[DateTimeParam | None, Query(description="event time, inclusive")] = None,
        until: Annotated[DateTimeParam | None, Query(description="event time, exclusive")] = None,
    ) -> None:
        self.values = {
            "type": type,
            "subject": subject,
            "source": source,
            "correlation_id": correlation_id,
            "since": since,
            "until": until,
        }


Filters = Annotated[EventFilters, Depends()]


@router.get(
    "/events",
    response_model=Page[EventRead],
    summary="Search the event store",
    description="Every event seen on every topic, newest first, filtered by type, "
    "subject, source, correlation id and event time." + MASKED,
    responses=problem_responses(401, 403, {422: "invalid filter, cursor or body (problem+json)"}),
)
async def search_events(
    session: SessionDep,
    principal: Watcher,
    filters: Filters,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[EventRead]:
    page = await service.search_events(session, limit=limit, cursor=cursor, **filters.values)
    whole = sees_personal_data(principal)
    return page.map(lambda record: service.event_view(record, whole=whole))


@router.get(
    "/events/stream",
    summary="Live stream of events (Server-Sent Events)",
    description="Each stored event as an SSE `event: ops.event` whose data is an "
    "EventRead; same filters as search. `after` resumes after a store id "
    "(default: only events from now on)." + MASKED,
    responses={
        **problem_responses(401, 403, {422: "invalid filter, cursor or body (problem+json)"}),
        200: {
            "content": {
                "text/event-stream": {
                    "example": (
                        'event: ops.event\nid: 42\ndata: {"type": "srs.project.approved.v1"}\n\n'
                    )
                }
            },
            "description": "an endless event stream",
        },
    },
)
async def stream_events(
    request: Request,
    principal: Watcher,
    filters: Filters,
    after: Annotated[int | None, Query(ge=0)] = None,
) -> EventSourceResponse:
    runtime = request.app.state.runtime
    db = runtime.db
    signal = runtime.state["signal"]
    whole = sees_personal_data(principal)
    if after is None:
        async with db.sessionmaker() as session:
            after = await service.latest_event_id(session)

    async def events() -> AsyncIterator[dict[str, Any]]:
        last = after
        while True:
            async with db.sessionmaker() as session:
                rows = await service.events_after(session, last, **filters.values)
            for row in rows:
                last = row.id
                yield {
                    "event": "ops.event",
                    "id": str(row.id),
                    "data": service.event_view(row, whole=whole).model_dump_json(),
                }
            if not rows:
                # Woken at once by a commit in this process; the poll covers other writers.
                await signal.wait(timeout=1.0)

    return EventSourceResponse(events(), ping=10)


@router.get(
    "/sagas/{correlation_id}",
    response_model=SagaRead,
    summary="A saga: all events of one correlation id, in time order",
    description="Each step's event as in search." + MASKED,
    responses=problem_responses(401, 403, {404: "no events with that correlation id"}),
)
async def read_saga(correlation_id: str, session: SessionDep, principal: Watcher) -> SagaRead:
    return await service.saga(session, correlation_id, whole=sees_personal_data(principal))


@router.get(
    "/lag",
    response_model=list[LagRead],
    summary="Consumer lag per group, topic and partition",
    responses=problem_responses(401, 403, {503: "the broker is unreachable"}),
)
async def read_lag(
    request: Request,
    _: Watcher,
    group: Annotated[str | None, Query(max_length=200, examples=["srs-access"])] = None,
) -> list[LagRead]:
    """For every consumer group, topic and partition: how far the consumers are behind the end of
    the topic (lag). Roles ops and support."""
    runtime = request.app.state.runtime
    return await service.consumer_lag(runtime.settings, runtime.consumer, group)


@router.get(
    "/lag/groups",
    response_model=list[GroupLagRead],
    summary="Consumer lag summed per group, with its threshold state",
    responses=problem_responses(401, 403, {503: "the broker is unreachable"}),
)
async def read_group_lag(request: Request, _: Watcher) -> list[GroupLagRead]:
    """For every consumer group: its lag summed over the partitions it reads, the worst
    partition's, and `ok`, `warning` or `critical` against the configured thresholds
    (`SRS_OPS_LAG_WARNING_AT`, `SRS_OPS_LAG_CRITICAL_AT`); `unknown` until the monitor has
    fetched every end offset. An empty list: no group has committed offsets yet. Roles
    ops and support."""
    runtime = request.app.state.runtime
    rows = await service.consumer_lag(runtime.settings, runtime.consumer)
    return service.lag_by_group(runtime.settings, rows)


@router.get(
    "/services/messaging",
    response_model=list[ServiceMessagingRead],
    summary="Each service's outbox backlog, relay and consumer state",
    description="Gathered from every service's own `/v1/messaging`, asked with the caller's token.",
    responses=problem_responses(401, 403),
)
async def gather_messaging(request: Request, _: Watcher) -> list[ServiceMessagingRead]:
    return await service.gather_messaging(
        request.app.state.runtime.settings, request.headers["authorization"]
    )


@router.get(
    "/dead-letters",
    response_model=Page[DeadLetterRead],
    summary="List dead letters",
    description="Personal values quoted in errors are masked for the `ops` role.",
    responses=problem_responses(401, 403, {422: "invalid filter, cursor or body (problem+json)"}),
)
async def list_dead_letters(
    session: SessionDep,
    principal: Watcher,
    limit: Limit = 50,
    cursor: Cursor = None,
    consumer: Annotated[str | None, Query(max_length=100, examples=["access"])] = None,
    state: Annotated[str | None, Query(pattern="^(open|replayed|discarded)$")] = None,
) -> Page[DeadLetterRead]:
    return await service.list_dead_letters(
        session,
        limit=limit,
        cursor=cursor,
        consumer=consumer,
        state=state,
        whole=sees_personal_data(principal),
    )


@router.get(
    "/dead-letters/{dead_letter_id}",
    response_model=DeadLetterDetail,
    summary="Inspect a dead letter: headers, value, error, origin",
    description="For the `ops` role, the value's personal fields are masked, personal "
    "values are taken out of the error and headers, and a value that is "
    "not JSON is withheld; `support` sees it whole.",
    responses=problem_responses(401, 403, {404: "no such dead letter"}),
)
async def read_dead_letter(
    dead_letter_id: RowId, session: SessionDep, principal: Watcher
) -> DeadLetterDetail:
    return await service.get_dead_letter(
        session, dead_letter_id, whole=sees_personal_data(principal)
    )


async def _producer(request: Request) -> AIOKafkaProducer:
    runtime = request.app.state.runtime
    producer = runtime.state.get("producer")
    if producer is None:
        producer = make_producer(runtime.settings.platform)
        try:
            await producer.start()
        except Exception as exc:
            await stop_quietly(producer)
            from srs_common.errors import AppError

            raise AppError(
                "the broker is unreachable", status=503, title="Broker unavailable"
            ) from exc
        runtime.state["producer"] = producer

        async def close_on_shutdown() -> None:
            try:
                await asyncio.Event().wait()
            finally:
                await stop_quietly(producer)

        runtime.tasks.append(asyncio.create_task(close_on_shutdown(), name="ops-producer"))
    return producer


async def _producer_of(request: Request) -> Callable[[], Awaitable[AIOKafkaProducer]]:
    """The broker producer, started on first use (a route that never publishes never
    connects)."""
    return lambda: _producer(request)


Producer = Annotated[Callable[[], Awaitable[AIOKafkaProducer]], Depends(_producer_of)]

RESOLVE_ERRORS = problem_responses(
    401,
    403,
    {
        404: "no such dead letter",
        409: "already replayed or discarded (names the current state)",
        422: "invalid filter, cursor or body (problem+json)",
        503: "the broker did not accept the record; nothing recorded",
    },
)


@router.post(
    "/dead-letters/{dead_letter_id}/replay",
    response_model=DeadLetterRead,
    summary="Replay a dead letter to its origin topic (support; once; audited)",
    responses=RESOLVE_ERRORS,
)
async def replay_dead_letter(
    dead_letter_id: RowId,
    decision: DeadLetterDecision,
    session: SessionDep,
    principal: Support,
    producer: Producer,
) -> DeadLetterRead:
    """Support publishes the dead letter again to its origin topic, once, with a reason; the replay
    is audited. 409 if already replayed or discarded."""
    return await service.resolve_dead_letter(
        session,
        producer,
        principal,
        dead_letter_id,
        action=Resolution.REPLAY,
        reason=decision.reason,
    )


@router.post(
    "/dead-letters/{dead_letter_id}/discard",
    response_model=DeadLetterRead,
    summary="Discard a dead letter with a reason (support; once; audited)",
    description="The origin consumer releases the key's quarantine without applying the event.",
    responses=RESOLVE_ERRORS,
)
async def discard_dead_letter(
    dead_letter_id: RowId,
    decision: DeadLetterDecision,
    session: SessionDep,
    principal: Support,
    producer: Producer,
) -> DeadLetterRead:
    return await service.resolve_dead_letter(
        session,
        producer,
        principal,
        dead_letter_id,
        action=Resolution.DISCARD,
        reason=decision.reason,
    )


public = APIRouter(tags=["ops"])


@public.get(
    "/asyncapi.json",
    summary="AsyncAPI 3.0 document of every topic and event",
    responses={200: {"content": {"application/json": {"example": {"asyncapi": "3.0.0"}}}}},
)
async def read_asyncapi(settings: AppSettings) -> JSONResponse:
    """The AsyncAPI document generated from the event contracts (channels per topic,
    messages with JSON Schema payloads and examples); its `servers` are the Kafka brokers
    this deployment is configured with."""
    return JSONResponse(asyncapi_document(settings.platform.kafka_bootstrap))
