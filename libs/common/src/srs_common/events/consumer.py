"""The consumer runner: idempotent handling, explicit offsets, retries, dead letters.

For each record, in partition order:

1. Undecodable bytes (not a CloudEvent, or a payload its contract rejects) go to the
   dead-letter topic at once.
2. Types with no handler are skipped (consumers ignore types they don't know).
3. If an earlier event with the same key is in dead letters and unresolved, this one is
   parked behind it (dead-lettered too) so it never overtakes it (quarantine).
4. The handler's effects and an inbox row ``(consumer, source, event id)`` commit in one
   transaction; an event already in the inbox changes nothing.
5. A failing handler is retried with exponential backoff and jitter; after the last
   attempt the record goes to ``srs.dlq.<consumer>`` with its origin in headers.

Offsets are committed explicitly, per partition, after the database commit (or after
the dead letter is acknowledged), so nothing is lost and a redelivery is harmless.
A replayed dead letter (``srs_replay`` header) resolves its quarantine when applied; a
discarded one (``srs_discard`` header, sent by operations) resolves it without applying.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError, UnknownTopicOrPartitionError
from pydantic import ValidationError
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.config import ServiceSettings
from srs_common.contracts.base import contract_for
from srs_common.db import Database, insert_if_absent, is_transient, utcnow
from srs_common.events.bus import ensure_topics, start_producer, stop_quietly
from srs_common.events.envelope import Event, UndecodableMessage, decode
from srs_common.observability import (
    CONSUMER_LAG,
    DEAD_LETTERS,
    EVENT_DELAY,
    EVENT_HANDLING,
    EVENTS_CONSUMED,
    correlation_id,
)
from srs_common.tracing import mark_current_failed, process_span, tracer

log = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, Event], Awaitable[None]]

REPLAY_HEADER = "srs_replay"
# Operations discarded this dead letter: resolve its quarantine without applying it.
DISCARD_HEADER = "srs_discard"


class _Duplicate(Exception):
    pass


def dead_letter_headers(
    record: ConsumerRecord, *, consumer: str, error: str, attempts: int, reason: str
) -> list[tuple[str, bytes]]:
    origin = [(k, v) for k, v in (record.headers or ()) if not k.startswith("srs_dlq_")]
    return origin + [
        ("srs_dlq_consumer", consumer.encode()),
        ("srs_dlq_reason", reason.encode()),
        ("srs_dlq_error", error[:2000].encode()),
        ("srs_dlq_origin_topic", record.topic.encode()),
        ("srs_dlq_origin_partition", str(record.partition).encode()),
        ("srs_dlq_origin_offset", str(record.offset).encode()),
        ("srs_dlq_attempts", str(attempts).encode()),
    ]


def _decode(record: ConsumerRecord) -> Event:
    """The record as a CloudEvent, or :class:`UndecodableMessage`."""
    return decode(
        value=record.value,
        headers=record.headers or (),
        key=record.key,
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
    )


class ConsumerRunner:
    """Consumes ``topics`` in consumer group ``srs-<consumer>`` into ``handlers``."""

    def __init__(
        self,
        db: Database,
        settings: ServiceSettings,
        handlers: Mapping[str, Handler],
        topics: list[str],
        *,
        consumer: str | None = None,
        group_id: str | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if db.messaging is None:
            raise ValueError("consumer needs a Database with messaging tables")
        self.db = db
        self.settings = settings
        self.handlers = dict(handlers)
        self.topics = list(topics)
        self.consumer = consumer or settings.consumer_name
        self.group_id = group_id or f"srs-{self.consumer}"
        self.dead_letter_topic = f"srs.dlq.{self.consumer}"
        self.inbox = db.messaging.inbox
        self._claim_statement = insert_if_absent(
            db.dialect, self.inbox, conflict=[c.name for c in self.inbox.primary_key.columns]
        )
        self.quarantine = db.messaging.quarantine
        self._sleep = sleep
        self._consumer: AIOKafkaConsumer | None = None
        self._producer: AIOKafkaProducer | None = None
        self.processed = 0
        self.dead_lettered = 0
        self.running = False
        self.last_error: str | None = None
        # Keys with an unresolved dead letter; loaded at start so the common case (no
        # quarantine) costs no query. Only the partition's owner touches a key's rows.
        self._open_keys: set[str] = set()
        self._watch_since = time.monotonic()
        # None while tracing is off: process_span is then a bare yield.
        self._tracer = tracer(settings.service_name)

    # -- lifecycle --------------------------------------------------------------------
    async def _start(self) -> AIOKafkaConsumer:
        platform = self.settings.platform
        await ensure_topics(platform, [*self.topics, self.dead_letter_topic])
        consumer = AIOKafkaConsumer(
            *self.topics,
            bootstrap_servers=platform.kafka_bootstrap,
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=platform.fetch_max_wait_ms,
            session_timeout_ms=platform.session_timeout_ms,
            heartbeat_interval_ms=max(500, platform.session_timeout_ms // 3),
            request_timeout_ms=platform.request_timeout_ms,
            max_poll_interval_ms=300_000,
        )
        # Read the quarantine before joining the group: if the database is away, no
        # member is left behind in the group holding partitions it will never consume.
        q = self.quarantine
        async with self.db.engine.connect() as conn:
            keys = (
                (
                    await conn.execute(
                        select(q.c.key)
                        .distinct()
                        .where(q.c.consumer == self.consumer)
                        .where(q.c.resolved_at.is_(None))
                    )
                )
                .scalars()
                .all()
            )
            await conn.rollback()
        try:
            await consumer.start()
        except BaseException:
            await stop_quietly(consumer)
            raise
        self._open_keys = set(keys)
        self._consumer = consumer
        self._watch_since = time.monotonic()
        return consumer

    def _stalled(self, consumer: AIOKafkaConsumer) -> bool:
        """True when the consumer makes no contact with the broker for too long: no
        partitions assigned, or no fetch response (they come every ``fetch_max_wait_ms``
        even when idle) for its partitions. aiokafka does not always recover by itself
        after a broker outage; a fresh consumer does."""
        limit = self.settings.consumer_watchdog_seconds
        now = time.monotonic()
        assigned = consumer.assignment()
        if not assigned:
            return now - self._watch_since > limit
        stamps = [consumer.last_poll_timestamp(tp) for tp in assigned]
        newest = max((s for s in stamps if s), default=None)
        if newest is None:
            return now - self._watch_since > limit
        self._watch_since = now
        return bool(time.time() - newest / 1000 > limit)

    async def _dlq_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            self._producer = await start_producer(self.settings.platform)
        return self._producer

    async def _close(self) -> None:
        consumer, self._consumer = self._consumer, None
        producer, self._producer = self._producer, None
        if consumer is not None:
            await stop_quietly(consumer)
        if producer is not None:
            await stop_quietly(producer)

    async def run(self) -> None:
        """Consume for ever; reconnect with backoff when the broker goes away."""
        backoff = 0.2
        try:
            while True:
                try:
                    consumer = self._consumer or await self._start()
                    self.running = True
                    if self._stalled(consumer):
                        log.warning(
                            "consumer %s made no progress for %ss; rebuilding it",
                            self.consumer,
                            self.settings.consumer_watchdog_seconds,
                        )
                        await self._close()
                        continue
                    batches = await consumer.getmany(timeout_ms=500, max_records=500)
                    for tp, records in batches.items():
                        await self._process_all(records)
                        await consumer.commit({tp: records[-1].offset + 1})
                        self._record_lag(consumer, tp, records[-1].offset + 1)
                    backoff = 0.2
                    self.last_error = None
                except asyncio.CancelledError:
                    raise
                except UnknownTopicOrPartitionError as exc:
                    # The embedded broker forgets topics on restart: create them again.
                    self.last_error = repr(exc)
                    log.warning("topic unknown to the broker; re-creating")
                    await self._close()
                    await self._sleep(backoff)
                except (TimeoutError, KafkaError, OSError) as exc:
                    self.last_error = repr(exc)
                    log.warning(
                        "consumer %s reconnecting in %.1fs: %r", self.consumer, backoff, exc
                    )
                    await self._close()
                    self.running = False
                    await self._sleep(backoff * (0.5 + random.random()))
                    backoff = min(backoff * 2, 5.0)
                except Exception as exc:  # noqa: BLE001 - e.g. database away; nothing committed
                    self.last_error = repr(exc)
                    log.exception("consumer %s iteration failed", self.consumer)
                    await self._close()
                    self.running = False
                    await self._sleep(backoff)
                    backoff = min(backoff * 2, 5.0)
        finally:
            self.running = False
            await self._close()

    def _record_lag(self, consumer: AIOKafkaConsumer, tp: TopicPartition, position: int) -> None:
        highwater = consumer.highwater(tp)
        if highwater is not None:
            CONSUMER_LAG.labels(self.consumer, tp.topic, str(tp.partition)).set(
                max(0, highwater - position)
            )

    def lag(self) -> int | None:
        """Records behind the newest offset the broker reported, over the assigned
        partitions (from fetch responses, which come every ``fetch_max_wait_ms`` even when
        idle); None while any assigned partition has not been fetched yet."""
        consumer = self._consumer
        if consumer is None:
            return None
        total = 0
        try:
            # aiokafka keeps the fetch position only in its subscription state (its public
            # position() is a coroutine that may block on a reset).
            assignment = consumer._subscription.subscription.assignment  # noqa: SLF001
            for tp in consumer.assignment():
                highwater, state = consumer.highwater(tp), assignment.state_value(tp)
                if highwater is None or state is None or not state.has_valid_position:
                    return None
                total += max(0, highwater - state.position)
        except AttributeError:  # no subscription yet, or aiokafka's internals changed
            return None
        return total

    # -- a partition's records ----------------------------------------------------------
    async def _process_all(self, records: list[ConsumerRecord]) -> None:
        """Apply a partition's fetched records in order. A run of ordinary records (known
        type, valid payload, no quarantine, no operator header) shares one transaction, so
        a burst costs one commit instead of one per event; anything else, and any run
        whose transaction fails, takes the one-record path with its retries and dead
        letters. Order is kept: a run is committed before the record that ends it."""
        run: list[tuple[ConsumerRecord, Event, Handler]] = []
        for record in records:
            ordinary = self._ordinary(record)
            if ordinary is None:
                await self._apply_run(run)
                run = []
                await self._process(record)
            elif isinstance(ordinary, tuple):
                run.append((record, *ordinary))
        await self._apply_run(run)

    def _ordinary(self, record: ConsumerRecord) -> tuple[Event, Handler] | bool | None:
        """(event, handler) for a record that may join a shared transaction; False for one
        with no handler (skipped); None for one that needs the one-record path."""
        try:
            event = _decode(record)
        except UndecodableMessage:
            return None
        if DISCARD_HEADER in event.headers or REPLAY_HEADER in event.headers:
            return None
        handler = self.handlers.get(event.type) or self.handlers.get("*")
        if handler is None:
            return False
        if event.key is not None and event.key in self._open_keys:
            return None
        contract = contract_for(event.type)
        if contract is not None:
            try:
                event = event.with_payload(contract.model_validate(event.data))
            except ValidationError:
                return None
        return event, handler

    async def _apply_run(self, run: list[tuple[ConsumerRecord, Event, Handler]]) -> None:
        if len(run) < 2 or self.settings.consumer_max_batch <= 1:
            for record, event, handler in run:
                await self._handle_with_context(record, event, handler)
            return
        for start in range(0, len(run), self.settings.consumer_max_batch):
            await self._apply_together(run[start : start + self.settings.consumer_max_batch])

    async def _apply_together(self, run: list[tuple[ConsumerRecord, Event, Handler]]) -> None:
        now = time.time()
        for record, _, _ in run:
            if record.timestamp:
                EVENT_DELAY.labels(self.consumer).observe(max(0.0, now - record.timestamp / 1000))
        started = time.perf_counter()
        outcomes: list[tuple[Event, str]] = []
        try:
            async with self.db.transaction() as session:
                for _, event, handler in run:
                    token = correlation_id.set(event.correlation_id)
                    try:
                        with process_span(self._tracer, self.consumer, event):
                            if await self._claim_new(session, event):
                                await handler(session, event)
                                outcomes.append((event, "applied"))
                            else:
                                outcomes.append((event, "duplicate"))
                    finally:
                        correlation_id.reset(token)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - nothing of the run was committed
            log.info(
                "%s: a run of %d events failed together (%r); applying them one by one",
                self.consumer,
                len(run),
                exc,
            )
            for record, event, handler in run:
                await self._handle_with_context(record, event, handler, delay_observed=True)
            return
        share = (time.perf_counter() - started) / len(run)
        for event, outcome in outcomes:
            self._record_outcome(event, outcome, share)
        self.processed += sum(1 for _, outcome in outcomes if outcome == "applied")

    def _record_outcome(self, event: Event, outcome: str, seconds: float) -> None:
        EVENT_HANDLING.labels(self.consumer, event.type).observe(seconds)
        EVENTS_CONSUMED.labels(self.consumer, event.type, outcome).inc()
        log.info(
            "%s %s %s (subject %s, %s[%d]@%d)",
            self.consumer,
            outcome,
            event.type,
            event.subject,
            event.topic,
            event.partition,
            event.offset,
        )

    async def _handle_with_context(
        self,
        record: ConsumerRecord,
        event: Event,
        handler: Handler,
        *,
        delay_observed: bool = False,
    ) -> None:
        token = correlation_id.set(event.correlation_id)
        try:
            with process_span(self._tracer, self.consumer, event):
                await self._handle(record, event, handler, delay_observed=delay_observed)
        finally:
            correlation_id.reset(token)

    # -- one record -------------------------------------------------------------------
    async def _process(self, record: ConsumerRecord) -> None:
        try:
            event = _decode(record)
        except UndecodableMessage as exc:
            await self._dead_letter(record, error=str(exc), attempts=0, reason="undecodable")
            return
        if DISCARD_HEADER in event.headers:
            # Before any validation: a discarded dead letter may be one its contract rejects.
            async with self.db.transaction() as session:
                await self._resolve(session, event)
            log.info("%s discarded dead letter %s by operator request", self.consumer, event.id)
            return
        # "*" is a catch-all (the operations monitor stores every event it sees).
        handler = self.handlers.get(event.type) or self.handlers.get("*")
        if handler is None:
            return
        contract = contract_for(event.type)
        if contract is not None:
            try:
                event = event.with_payload(contract.model_validate(event.data))
            except ValidationError as exc:
                await self._dead_letter(
                    record, error=str(exc), attempts=0, reason="contract-violation", event=event
                )
                return
        await self._handle_with_context(record, event, handler)

    async def _blocking_quarantine(self, key: str | None, event_id: str) -> tuple[str | None, bool]:
        """The unresolved dead letter this event must wait behind, if any, and whether
        this event is itself the head of its key's quarantine (a replay)."""
        if key is None or key not in self._open_keys:
            return None, False
        q = self.quarantine
        async with self.db.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(q.c.id, q.c.event_id)
                    .where(q.c.consumer == self.consumer)
                    .where(q.c.key == key)
                    .where(q.c.resolved_at.is_(None))
                    .order_by(q.c.id)
                )
            ).all()
            await conn.rollback()
        if not rows:
            self._open_keys.discard(key)
            return None, False
        if rows[0].event_id == event_id:
            return None, True  # the head of its key's queue: let it through
        return rows[0].event_id, False

    async def _handle(
        self,
        record: ConsumerRecord,
        event: Event,
        handler: Handler,
        *,
        delay_observed: bool = False,
    ) -> None:
        blocker, is_head = await self._blocking_quarantine(event.key, event.id)
        if blocker is not None:
            await self._dead_letter(
                record,
                error=f"waiting behind dead letter {blocker}",
                attempts=0,
                reason="quarantined",
                event=event,
            )
            return
        attempts = 0
        transient_waits = 0
        while True:
            attempts += 1
            try:
                started = time.perf_counter()
                if attempts == 1 and record.timestamp and not delay_observed:
                    EVENT_DELAY.labels(self.consumer).observe(
                        max(0.0, time.time() - record.timestamp / 1000)
                    )
                applied = await self.apply(event, handler, resolve=is_head)
                self._record_outcome(
                    event, "applied" if applied else "duplicate", time.perf_counter() - started
                )
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any handler failure is retried
                if is_transient(exc):
                    # The database (or the network to it) is away: wait for it, however
                    # long; this is not the event's fault and must never dead-letter it.
                    attempts -= 1
                    transient_waits += 1
                    delay = min(
                        5.0,
                        self.settings.consumer_backoff_base_seconds * 2 ** min(transient_waits, 10),
                    )
                    log.warning(
                        "database unavailable while handling %s; waiting %.2fs: %r",
                        event.type,
                        delay,
                        exc,
                    )
                    await self._sleep(delay * (0.5 + random.random()))
                    continue
                if attempts >= self.settings.consumer_max_attempts:
                    log.error(
                        "handler for %s failed %d times; dead-lettering",
                        event.type,
                        attempts,
                        exc_info=True,
                    )
                    await self._dead_letter(
                        record,
                        error=repr(exc),
                        attempts=attempts,
                        reason="handler-failed",
                        event=event,
                    )
                    EVENTS_CONSUMED.labels(self.consumer, event.type, "dead_letter").inc()
                    return
                delay = min(
                    self.settings.consumer_backoff_max_seconds,
                    self.settings.consumer_backoff_base_seconds * 2 ** (attempts - 1),
                )
                log.warning(
                    "handler for %s failed (attempt %d), retrying: %r", event.type, attempts, exc
                )
                await self._sleep(delay * (0.5 + random.random()))

    async def apply(
        self, event: Event, handler: Handler | None = None, *, resolve: bool = False
    ) -> bool:
        """Run the handler and record the event in the inbox, in one transaction.

        Returns False (and changes nothing) when the event was already applied.
        Tests call this directly to prove handlers idempotent without a broker.
        """
        handler = handler or self.handlers.get(event.type) or self.handlers["*"]
        try:
            async with self.db.transaction() as session:
                await self._claim(session, event)
                await handler(session, event)
                if resolve:
                    await self._resolve(session, event)
        except _Duplicate:
            if resolve:
                async with self.db.transaction() as session:
                    await self._resolve(session, event)
            return False
        self.processed += 1
        return True

    async def _claim(self, session: AsyncSession, event: Event) -> None:
        if not await self._claim_new(session, event):
            raise _Duplicate

    async def _claim_new(self, session: AsyncSession, event: Event) -> bool:
        """Record the event in the inbox; False when it was already there (one statement:
        no savepoint, and a concurrent claim of the same event waits for the first)."""
        result = await session.execute(
            self._claim_statement.values(
                consumer=self.consumer,
                source=event.source,
                event_id=event.id,
                type=event.type,
                processed_at=utcnow(),
            )
        )
        return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]

    async def _resolve(self, session: AsyncSession, event: Event) -> None:
        q = self.quarantine
        await session.execute(
            update(q)
            .where(q.c.consumer == self.consumer)
            .where(q.c.event_id == event.id)
            .where(q.c.resolved_at.is_(None))
            .values(resolved_at=utcnow())
        )

    async def _dead_letter(
        self,
        record: ConsumerRecord,
        *,
        error: str,
        attempts: int,
        reason: str,
        event: Event | None = None,
    ) -> None:
        producer = await self._dlq_producer()
        headers = dead_letter_headers(
            record, consumer=self.consumer, error=error, attempts=attempts, reason=reason
        )
        await producer.send_and_wait(
            self.dead_letter_topic, value=record.value, key=record.key, headers=headers
        )
        if event is not None and event.key is not None:
            # Later events with this key wait behind this one until it is replayed.
            async with self.db.transaction() as session:
                existing = (
                    await session.execute(
                        select(self.quarantine.c.id)
                        .where(self.quarantine.c.consumer == self.consumer)
                        .where(self.quarantine.c.event_id == event.id)
                    )
                ).first()
                if existing is None:
                    await session.execute(
                        insert(self.quarantine).values(
                            consumer=self.consumer,
                            key=event.key,
                            event_id=event.id,
                            reason=f"{reason}: {error}"[:2000],
                            created_at=utcnow(),
                        )
                    )
            self._open_keys.add(event.key)
        self.dead_lettered += 1
        DEAD_LETTERS.labels(self.consumer).inc()
        mark_current_failed(f"dead-lettered: {reason}")
        log.warning(
            "dead-lettered %s offset %s (%s): %s", record.topic, record.offset, reason, error[:200]
        )

    def state(self) -> dict[str, Any]:
        return {
            "consumer": self.consumer,
            "group": self.group_id,
            "topics": self.topics,
            "running": self.running,
            "processed": self.processed,
            "assigned_partitions": len(self._consumer.assignment()) if self._consumer else 0,
            "dead_lettered": self.dead_lettered,
            "last_error": self.last_error,
            "lag": self.lag(),
        }
