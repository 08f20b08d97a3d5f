"""Ops use cases: search the event store, sagas, lag, outbox backlog, dead letters."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.auth import Principal
from srs_common.db import utcnow
from srs_common.errors import AppError, NotFound
from srs_common.events.consumer import DISCARD_HEADER, REPLAY_HEADER
from srs_common.pagination import Page, desc, keyset_page
from srs_ops import domain, privacy
from srs_ops.models import DeadLetter, DeadLetterAction, EventRecord
from srs_ops.monitor import MonitorConsumer
from srs_ops.schemas import (
    DeadLetterActionRead,
    DeadLetterDetail,
    DeadLetterRead,
    EventRead,
    GroupLagRead,
    HeaderRead,
    LagRead,
    SagaRead,
    SagaStepRead,
    ServiceMessagingRead,
)
from srs_ops.settings import OpsSettings


def event_query(
    *,
    type: str | None = None,
    subject: str | None = None,
    source: str | None = None,
    correlation_id: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> Select[EventRecord]:
    query = select(EventRecord)
    if type:
        query = query.where(EventRecord.type == type)
    if subject:
        query = query.where(EventRecord.subject == subject)
    if source:
        query = query.where(EventRecord.source == source)
    if correlation_id:
        query = query.where(EventRecord.correlation_id == correlation_id)
    if since:
        query = query.where(EventRecord.time >= since)
    if until:
        query = query.where(EventRecord.time < until)
    return query


def event_view(record: EventRecord, *, whole: bool) -> EventRead:
    """An event as the caller may see it: whole for support, personal fields masked for
    the ``ops`` role (``privacy``)."""
    view = EventRead.model_validate(record)
    if whole:
        return view
    data, _ = privacy.mask_payload(record.type, record.data)
    return view.model_copy(update={"data": data})


async def search_events(
    session: AsyncSession, *, limit: int, cursor: str | None, **filters: Any
) -> Page[EventRecord]:
    """Newest first, one page."""
    return await keyset_page(
        session, event_query(**filters), [desc(EventRecord.id)], cursor=cursor, limit=limit
    )


async def events_after(session: AsyncSession, after_id: int, **filters: Any) -> list[EventRecord]:
    """Events stored after ``after_id``, oldest first (the live stream)."""
    query = event_query(**filters).where(EventRecord.id > after_id)
    return list((await session.execute(query.order_by(EventRecord.id).limit(500))).scalars())


async def latest_event_id(session: AsyncSession) -> int:
    rows = await session.execute(select(EventRecord.id).order_by(EventRecord.id.desc()).limit(1))
    return rows.scalar() or 0


async def saga(session: AsyncSession, correlation_id: str, *, whole: bool) -> SagaRead:
    """Every event of one correlation id across services, in time order, with the delay
    between steps and, for a known saga not yet complete, the step it waits on."""
    events = list(
        (
            await session.execute(
                event_query(correlation_id=correlation_id).order_by(
                    EventRecord.time, EventRecord.id
                )
            )
        ).scalars()
    )
    if not events:
        raise NotFound(f"no events with correlation id {correlation_id}")
    steps = domain.step_delays([(e.type, e.time) for e in events])
    progress = domain.saga_progress([e.type for e in events])
    return SagaRead(
        correlation_id=correlation_id,
        saga=progress.name,
        complete=progress.complete,
        waiting_on=progress.waiting_on,
        steps=[
            SagaStepRead(event=event_view(e, whole=whole), delay_ms=s.delay_ms)
            for e, s in zip(events, steps, strict=True)
        ],
    )


async def consumer_lag(
    settings: OpsSettings, monitor: MonitorConsumer | None, group: str | None = None
) -> list[LagRead]:
    """Lag per group, topic and partition: the monitor's fetched end offsets minus each
    group's committed offsets (asked for explicit partitions: docs/reference/broker.md)."""
    end_offsets = monitor.end_offsets() if monitor is not None else {}
    if not end_offsets:
        return []
    partitions = sorted(end_offsets, key=lambda tp: (tp.topic, tp.partition))
    groups = [group] if group else settings.lag_groups
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.platform.kafka_bootstrap,
        request_timeout_ms=settings.platform.request_timeout_ms,
    )
    try:
        await admin.start()
    except Exception as exc:
        await asyncio.wait_for(admin.close(), timeout=5)
        raise AppError("the broker is unreachable", status=503, title="Broker unavailable") from exc
    rows: list[LagRead] = []
    try:
        for name in groups:
            committed = await admin.list_consumer_group_offsets(name, partitions=partitions)
            for tp in partitions:
                meta = committed.get(tp)
                if meta is None or meta.offset < 0:
                    continue  # the group does not read this partition
                rows.append(
                    LagRead(
                        group=name,
                        topic=tp.topic,
                        partition=tp.partition,
                        end_offset=end_offsets.get(tp),
                        committed_offset=meta.offset,
                        lag=domain.lag(end_offsets.get(tp), meta.offset),
                    )
                )
    finally:
        await asyncio.wait_for(admin.close(), timeout=5)
    return rows


def lag_by_group(settings: OpsSettings, rows: list[LagRead]) -> list[GroupLagRead]:
    """Each group's partitions summed and judged against the configured thresholds."""
    groups: dict[str, list[LagRead]] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    summary = []
    for name, parts in sorted(groups.items()):
        lags = [p.lag for p in parts]
        known = None if any(v is None for v in lags) else [v for v in lags if v is not None]
        total = sum(known) if known is not None else None
        summary.append(
            GroupLagRead(
                group=name,
                partitions=len(parts),
                lag=total,
                max_partition_lag=max(known) if known else (0 if known is not None else None),
                state=domain.lag_state(total, settings.lag_warning_at, settings.lag_critical_at),
                warning_at=settings.lag_warning_at,
                critical_at=settings.lag_critical_at,
            )
        )
    return summary


async def gather_messaging(settings: OpsSettings, authorization: str) -> list[ServiceMessagingRead]:
    """Each service's outbox backlog and relay state, asked with the operator's token."""

    async def one(client: httpx.AsyncClient, service: str, base: str) -> ServiceMessagingRead:
        try:
            response = await client.get(
                f"{base.rstrip('/')}/v1/messaging", headers={"Authorization": authorization}
            )
        except httpx.HTTPError as exc:
            return ServiceMessagingRead(
                service=service, reachable=False, error=f"{type(exc).__name__}"
            )
        if response.status_code != 200:
            return ServiceMessagingRead(
                service=service, reachable=True, error=f"HTTP {response.status_code}"
            )
        body = response.json()
        return ServiceMessagingRead(
            service=service,
            reachable=True,
            outbox_backlog=body.get("outbox_backlog"),
            relay=body.get("relay"),
            consumer=body.get("consumer"),
        )

    async with httpx.AsyncClient(timeout=3.0) as client:
        return list(
            await asyncio.gather(
                *(one(client, s, u) for s, u in sorted(settings.service_urls.items()))
            )
        )


# -- dead letters ---------------------------------------------------------------------


def _text(raw: bytes | None) -> str | None:
    return raw.decode("utf-8", "replace") if raw is not None else None


def _redaction(letter: DeadLetter, *, whole: bool) -> tuple[str | None, privacy.Redaction]:
    """The dead letter's value as the caller may see it, and what to take out of its
    error and headers (nothing for support)."""
    if whole:
        return _text(letter.value), privacy.Redaction()
    return privacy.mask_record_value(letter.event_type, letter.value)


def _read(
    letter: DeadLetter, action: DeadLetterAction | None, redaction: privacy.Redaction
) -> dict[str, Any]:
    return dict(
        id=letter.id,
        consumer=letter.consumer,
        reason=letter.reason,
        error=redaction.text(letter.error) or "",
        attempts=letter.attempts,
        origin_topic=letter.origin_topic,
        origin_partition=letter.origin_partition,
        origin_offset=letter.origin_offset,
        event_id=letter.event_id,
        event_type=letter.event_type,
        subject=letter.subject,
        correlation_id=letter.correlation_id,
        key=_text(letter.key),
        state=domain.dead_letter_state(action.action if action else None),
        action=DeadLetterActionRead.model_validate(action) if action else None,
        received_at=letter.received_at,
    )


async def list_dead_letters(
    session: AsyncSession,
    *,
    limit: int,
    cursor: str | None,
    consumer: str | None,
    state: str | None,
    whole: bool,
) -> Page[DeadLetterRead]:
    query = select(DeadLetter, DeadLetterAction).outerjoin(
        DeadLetterAction, DeadLetterAction.dead_letter_id == DeadLetter.id
    )
    if consumer:
        query = query.where(DeadLetter.consumer == consumer)
    if state == domain.DeadLetterState.OPEN:
        query = query.where(DeadLetterAction.id.is_(None))
    elif state in tuple(domain.Resolution):
        query = query.where(DeadLetterAction.action == state)
    page = await keyset_page(
        session,
        query,
        [desc(DeadLetter.id)],
        cursor=cursor,
        limit=limit,
        values=lambda row: [row[0].id],
    )
    return page.map(
        lambda row: DeadLetterRead(**_read(row[0], row[1], _redaction(row[0], whole=whole)[1]))
    )


async def _load(
    session: AsyncSession, dead_letter_id: int
) -> tuple[DeadLetter, DeadLetterAction | None]:
    row = (
        await session.execute(
            select(DeadLetter, DeadLetterAction)
            .outerjoin(DeadLetterAction, DeadLetterAction.dead_letter_id == DeadLetter.id)
            .where(DeadLetter.id == dead_letter_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"no dead letter {dead_letter_id}")
    return row[0], row[1]


async def get_dead_letter(
    session: AsyncSession, dead_letter_id: int, *, whole: bool
) -> DeadLetterDetail:
    """A dead letter with its headers and value; for the ``ops`` role, personal fields
    masked and personal values taken out of the error and headers."""
    letter, action = await _load(session, dead_letter_id)
    value, redaction = _redaction(letter, whole=whole)
    headers = [
        HeaderRead(
            name=k, value=redaction.text(base64.b64decode(v).decode("utf-8", "replace")) or ""
        )
        for k, v in letter.headers
    ]
    return DeadLetterDetail(**_read(letter, action, redaction), headers=headers, value=value)


def origin_headers(letter: DeadLetter, marker: str) -> list[tuple[str, bytes]]:
    """The original headers (``srs_dlq_*`` removed) plus the operator's marker."""
    return [(k, base64.b64decode(v)) for k, v in letter.headers if not k.startswith("srs_dlq_")] + [
        (marker, b"1")
    ]


async def resolve_dead_letter(
    session: AsyncSession,
    producer: Callable[[], Awaitable[AIOKafkaProducer]],
    principal: Principal,
    dead_letter_id: int,
    *,
    action: domain.Resolution,
    reason: str,
) -> DeadLetterRead:
    """Replay a dead letter to its origin topic, or discard it, once, audited.

    The record goes back with its original value, key and CloudEvent headers: the origin
    consumer applies a replay once (its inbox) and releases the key's quarantine; a
    discard releases the quarantine without applying. The action row is written first and
    committed after the broker's ack, so a crash in between can only repeat a delivery,
    which the consumer's inbox absorbs; the unique row keeps each dead letter to one action.
    """
    letter, existing = await _load(session, dead_letter_id)
    domain.ensure_open(existing.action if existing else None)
    if not letter.origin_topic:
        raise AppError("the dead letter names no origin topic", status=422, title="No origin topic")
    record = DeadLetterAction(
        dead_letter_id=letter.id,
        action=action,
        actor=principal.sub,
        reason=reason,
        acted_at=utcnow(),
    )
    try:
        async with session.begin_nested():
            session.add(record)
            await session.flush()
    except IntegrityError:
        raise domain_conflict() from None
    marker = REPLAY_HEADER if action == domain.Resolution.REPLAY else DISCARD_HEADER
    try:
        await (await producer()).send_and_wait(
            letter.origin_topic,
            value=letter.value,
            key=letter.key,
            headers=origin_headers(letter, marker),
        )
    except AppError:
        raise
    except Exception as exc:
        raise AppError(
            "the broker did not accept the record; nothing was recorded",
            status=503,
            title="Broker unavailable",
        ) from exc
    # Only support acts on dead letters: it sees them whole.
    return DeadLetterRead(**_read(letter, record, privacy.Redaction()))


def domain_conflict() -> AppError:
    # Another operator acted on it between our read and our write.
    return AppError(
        "the dead letter was replayed or discarded meanwhile",
        status=409,
        title="Illegal state transition",
    )
