"""Reading the bus: every service topic into the event store, every dead-letter topic
into the dead-letter list, and the retention sweep. Read-only towards other services."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import logging
from typing import Any, cast

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError
from fastapi import FastAPI
from sqlalchemy import CursorResult, delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.app import Runtime
from srs_common.db import utcnow
from srs_common.events.bus import ensure_topics, stop_quietly
from srs_common.events.consumer import ConsumerRunner
from srs_common.events.envelope import Event
from srs_common.events.handlers import Handlers
from srs_ops.models import DeadLetter, EventRecord
from srs_ops.settings import ops_settings

log = logging.getLogger(__name__)

STORED = "ops_event_stored"

HANDLERS = Handlers()


def _stored(event: Event, received_at: dt.datetime) -> dict[str, Any]:
    return {
        "event_id": event.id,
        "source": event.source,
        "type": event.type,
        "subject": event.subject,
        "correlation_id": event.correlation_id,
        "time": event.time,
        "topic": event.topic,
        "partition": event.partition,
        "offset": event.offset,
        "key": event.key,
        "data": event.data,
        "received_at": received_at,
    }


async def store_events(session: AsyncSession, events: list[Event]) -> None:
    """The catch-all's set-based handler: keep a run's events for operators in one
    insert (the inbox de-duplicates)."""
    now = utcnow()
    await session.execute(insert(EventRecord), [_stored(event, now) for event in events])
    session.info[STORED] = True


async def store_event(session: AsyncSession, event: Event) -> None:
    """The catch-all handler: one event is a run of one."""
    await store_events(session, [event])


HANDLERS.on_every(store_event)
HANDLERS.on_every_many(store_events)


class MonitorConsumer(ConsumerRunner):
    """The ops consumer (group ``srs-ops``); its fetches give the true end offsets."""

    def end_offsets(self) -> dict[TopicPartition, int]:
        """Highwater per assigned partition, from the fetch responses (the embedded
        broker's ``end_offsets()`` is wrong: docs/reference/broker.md)."""
        consumer = self._consumer
        if consumer is None:
            return {}
        offsets = {}
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)
            if highwater is not None:
                offsets[tp] = highwater
        return offsets


class StreamSignal:
    """Wakes live-stream listeners when events are committed to the store."""

    def __init__(self) -> None:
        self._condition = asyncio.Condition()
        self._pending: set[asyncio.Task[None]] = set()

    def notify_soon(self, session: Any) -> None:
        if session.info.get(STORED):
            task = asyncio.get_running_loop().create_task(self._notify())
            self._pending.add(task)  # keep a reference until it has run
            task.add_done_callback(self._pending.discard)

    async def _notify(self) -> None:
        async with self._condition:
            self._condition.notify_all()

    async def wait(self, timeout: float) -> None:
        async with self._condition:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._condition.wait(), timeout)


def _header(headers: dict[str, bytes], name: str) -> str | None:
    value = headers.get(name)
    return value.decode("utf-8", "replace") if value else None


def dead_letter_from(record: ConsumerRecord) -> DeadLetter:
    """A dead-letter row from a record of ``srs.dlq.<consumer>`` (headers kept verbatim)."""
    raw = [(k, bytes(v) if v is not None else b"") for k, v in (record.headers or ())]
    headers = dict(raw)

    def number(name: str) -> int:
        try:
            return int(_header(headers, name) or -1)
        except ValueError:
            return -1

    return DeadLetter(
        dlq_topic=record.topic,
        dlq_partition=record.partition,
        dlq_offset=record.offset,
        consumer=_header(headers, "srs_dlq_consumer") or record.topic.removeprefix("srs.dlq."),
        reason=(_header(headers, "srs_dlq_reason") or "unknown")[:100],
        error=_header(headers, "srs_dlq_error") or "",
        attempts=number("srs_dlq_attempts"),
        origin_topic=_header(headers, "srs_dlq_origin_topic") or "",
        origin_partition=number("srs_dlq_origin_partition"),
        origin_offset=number("srs_dlq_origin_offset"),
        event_id=_header(headers, "ce_id"),
        event_type=_header(headers, "ce_type"),
        subject=_header(headers, "ce_subject"),
        correlation_id=_header(headers, "ce_correlationid"),
        key=record.key,
        value=record.value,
        headers=[[k, base64.b64encode(v).decode()] for k, v in raw],
        received_at=utcnow(),
    )


class DeadLetterReader:
    """Reads every ``srs.dlq.*`` topic in its own group into the dead-letter table;
    a record already stored (same topic, partition, offset) changes nothing."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.settings = ops_settings(runtime)

    async def run(self) -> None:
        platform = self.settings.platform
        backoff = 0.2
        while True:
            consumer = None
            try:
                await ensure_topics(platform, self.settings.dead_letter_topics)
                consumer = AIOKafkaConsumer(
                    *self.settings.dead_letter_topics,
                    bootstrap_servers=platform.kafka_bootstrap,
                    group_id=self.settings.dead_letter_group,
                    enable_auto_commit=False,
                    auto_offset_reset="earliest",
                    # Dead letters are rare: asked for at the pace of a consumer at rest.
                    fetch_max_wait_ms=platform.fetch_idle_max_wait_ms,
                    session_timeout_ms=platform.session_timeout_ms,
                    heartbeat_interval_ms=max(500, platform.session_timeout_ms // 3),
                    request_timeout_ms=platform.request_timeout_ms,
                )
                await consumer.start()
                while True:
                    batches = await consumer.getmany(timeout_ms=500, max_records=200)
                    for tp, records in batches.items():
                        for record in records:
                            await self._store(record)
                        await consumer.commit({tp: records[-1].offset + 1})
                    backoff = 0.2
            except asyncio.CancelledError:
                raise
            except (TimeoutError, KafkaError, OSError) as exc:
                log.warning("dead-letter reader reconnecting in %.1fs: %r", backoff, exc)
            except Exception:  # noqa: BLE001 - e.g. database away; nothing committed
                log.exception("dead-letter reader iteration failed")
            finally:
                if consumer is not None:
                    await stop_quietly(consumer)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 5.0)

    async def _store(self, record: ConsumerRecord) -> None:
        try:
            async with self.runtime.db.transaction() as session:
                session.add(dead_letter_from(record))
        except IntegrityError:
            pass  # already stored: a redelivery


async def sweep_expired(session: AsyncSession, now: dt.datetime, retention_days: int) -> int:
    """Delete events older than the retention period; returns how many went."""
    cutoff = now - dt.timedelta(days=retention_days)
    # DML answers a CursorResult (which has rowcount); AsyncSession.execute is typed as
    # answering its Result base class.
    result = cast(
        "CursorResult[Any]",
        await session.execute(delete(EventRecord).where(EventRecord.received_at < cutoff)),
    )
    return result.rowcount or 0


async def retention_job(runtime: Runtime) -> None:
    settings = ops_settings(runtime)
    while True:
        try:
            async with runtime.db.transaction() as session:
                removed = await sweep_expired(session, utcnow(), settings.retention_days)
            if removed:
                log.info("retention removed %d events", removed)
        except Exception:  # noqa: BLE001 - try again next sweep
            log.exception("retention sweep failed")
        await asyncio.sleep(settings.retention_sweep_seconds)


async def start_monitor(app: FastAPI, runtime: Runtime) -> None:
    """Start-up hook: the live-stream signal, the monitor consumer, the dead-letter reader."""
    settings = ops_settings(runtime)
    signal = StreamSignal()
    runtime.state["signal"] = signal
    runtime.db.after_commit_hooks.append(signal.notify_soon)
    if not settings.run_consumers:
        return
    monitor = MonitorConsumer(runtime.db, settings, HANDLERS, list(settings.monitored_topics))
    runtime.consumer = monitor
    runtime.tasks.append(asyncio.create_task(monitor.run(), name="monitor"))
    reader = DeadLetterReader(runtime)
    runtime.tasks.append(asyncio.create_task(reader.run(), name="dead-letters"))
