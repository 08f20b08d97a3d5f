"""The outbox relay: publishes committed outbox rows in id order and marks them sent
only after the broker's acknowledgement.

Only one relay per database is active. On PostgreSQL the lease is a session-level
advisory lock held on a dedicated connection (it vanishes with the process); on SQLite
it is a row with an expiry that the holder renews. A crash between the ack and the
mark gives a duplicate, never a loss: consumers' inboxes drop duplicates.

At rest the relay waits longer between polls (:class:`srs_common.pacing.IdlePoll`, up to
``relay_idle_poll_seconds``), and work wakes it at once: a commit in its own process
(``Runtime``'s after-commit hook), and on PostgreSQL a commit in any process, whose outbox
write notifies :data:`srs_common.events.outbox.OUTBOX_CHANNEL`, which the relay listens
to on its lease connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import random
import socket
import time
import zlib
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any, cast

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError, UnknownTopicOrPartitionError
from aiokafka.partitioner import DefaultPartitioner
from sqlalchemy import BigInteger, Row, any_, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from srs_common.config import ServiceSettings
from srs_common.db import Database, insert_if_absent, utcnow
from srs_common.events.bus import ensure_topics, start_producer, stop_quietly
from srs_common.events.envelope import to_headers
from srs_common.events.outbox import OUTBOX_CHANNEL
from srs_common.observability import EVENTS_PUBLISHED, OUTBOX_BACKLOG, RELAY_ACTIVE
from srs_common.pacing import IdlePoll
from srs_common.tracing import end_span, start_publish, tracer

log = logging.getLogger(__name__)

# The outbox columns a pending row is selected with, in the order ``_send`` unpacks them.
_PUBLISHED = (
    "id",
    "event_id",
    "topic",
    "key",
    "type",
    "source",
    "subject",
    "correlation_id",
    "payload",
    "traceparent",
    "tracestate",
    "created_at",
)


def _observe(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def _observe_all(futures: list[Any]) -> None:
    """Retrieve each future's outcome when it ends (rows of one record batch share one)."""
    for future in {id(f): f for f in futures if f is not None}.values():
        future.add_done_callback(_observe)


class Relay:
    """Drains one service's outbox to the broker. Run :meth:`run` as a task."""

    def __init__(self, db: Database, settings: ServiceSettings, holder: str | None = None) -> None:
        if db.messaging is None:
            raise ValueError("relay needs a Database with messaging tables")
        self.db = db
        self.settings = settings
        self.outbox = db.messaging.outbox
        self.lease_table = db.messaging.relay_lease
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.lease_name = f"relay:{settings.service_name}"
        poll = settings.relay_poll_seconds
        # Without a notification from other processes (SQLite), the row lease is renewed
        # by polling: never wait longer than half of it.
        self._pace = IdlePoll(
            poll,
            settings.relay_idle_poll_seconds
            if db.dialect == "postgresql"
            else min(settings.relay_idle_poll_seconds, settings.relay_lease_seconds / 2),
        )
        self._topics_checked_at = 0.0
        self._topics_seen: set[str] = set()
        self._producer: AIOKafkaProducer | None = None
        self._partitioner = DefaultPartitioner()
        self._partition_of_key: dict[tuple[bytes, int], int] = {}
        self._lock_conn: AsyncConnection | None = None
        self._ahead: asyncio.Future[list[Row[Any]]] | None = None
        self._in_flight: tuple[list[Row[Any]], list[asyncio.Future[Any]], list[Any]] | None = None
        self.active = False
        self.published = 0
        self.last_error: str | None = None
        self.last_published_at: dt.datetime | None = None

    # -- waking -----------------------------------------------------------------------
    def wake(self) -> None:
        """Ask for an early drain (after a commit that wrote outbox rows)."""
        self._pace.wake()

    def _notified(self, *_: object) -> None:  # asyncpg's listener callback
        self._pace.wake()

    # -- lease ------------------------------------------------------------------------
    async def _try_lease(self) -> bool:
        if self.db.dialect == "postgresql":
            if self._lock_conn is not None:
                try:
                    await self._lock_conn.exec_driver_sql("SELECT 1")
                    # Not left idle in a transaction: PostgreSQL delivers notifications
                    # to a session only between transactions.
                    await self._lock_conn.rollback()
                    return True
                except Exception:  # noqa: BLE001 - the connection died: the lock went with it
                    await self._release_pg()
            conn = await self.db.engine.connect()
            key = zlib.crc32(self.lease_name.encode()) & 0x7FFFFFFF
            got = (await conn.execute(select(func.pg_try_advisory_lock(key)))).scalar()
            await conn.commit()
            if got:
                self._lock_conn = conn
                await self._listen(conn)
                return True
            await conn.close()
            return False
        return await self._try_row_lease()

    async def _listen(self, conn: AsyncConnection) -> None:
        """Be woken by commits in other processes (the API replicas) while at rest."""
        try:
            driver = (await conn.get_raw_connection()).driver_connection
            if driver is None:
                raise RuntimeError("no driver connection")
            await driver.add_listener(OUTBOX_CHANNEL, self._notified)
        except Exception:  # noqa: BLE001 - not asyncpg: polling at the busy pace instead
            log.warning("relay cannot listen for outbox notifications; polling", exc_info=True)
            self._pace.idle = self._pace.busy

    async def _try_row_lease(self) -> bool:
        now = utcnow()
        expires = now + dt.timedelta(seconds=self.settings.relay_lease_seconds)
        table = self.lease_table
        async with self.db.engine.begin() as conn:
            await conn.execute(
                insert_if_absent(self.db.dialect, table, conflict=["name"]).values(
                    name=self.lease_name, holder=self.holder, expires_at=now
                )
            )
            result = await conn.execute(
                update(table)
                .where(table.c.name == self.lease_name)
                .where((table.c.holder == self.holder) | (table.c.expires_at < now))
                .values(holder=self.holder, expires_at=expires)
            )
            return result.rowcount == 1

    async def _release(self) -> None:
        if self.db.dialect == "postgresql":
            await self._release_pg()
            return
        try:
            async with self.db.engine.begin() as conn:
                await conn.execute(
                    update(self.lease_table)
                    .where(self.lease_table.c.name == self.lease_name)
                    .where(self.lease_table.c.holder == self.holder)
                    .values(expires_at=utcnow() - dt.timedelta(seconds=1))
                )
        except Exception:  # noqa: BLE001 - the lease expires on its own
            log.debug("lease release failed", exc_info=True)

    async def _release_pg(self) -> None:
        conn, self._lock_conn = self._lock_conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # the lease ends with the connection
                await conn.close()

    # -- publishing -------------------------------------------------------------------
    async def _ensure_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            self._producer = await start_producer(self.settings.platform)
        return self._producer

    async def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        self._topics_checked_at = 0.0
        if producer is not None:
            await stop_quietly(producer)

    def _pending_statement(self, in_flight: list[int]) -> Any:
        table = self.outbox
        statement = select(*(table.c[name] for name in _PUBLISHED)).where(table.c.sent_at.is_(None))
        if in_flight:
            # The batch whose acknowledgements are still awaited is not marked yet: skip
            # it as the range it spans (ids ascending) plus the few ids inside that range
            # it does not hold (a transaction not yet committed when it was selected),
            # which a per-row test against a thousand ids would cost many times over.
            lo, hi = in_flight[0], in_flight[-1]
            if hi - lo >= 2 * len(in_flight):
                statement = statement.where(~self._id_in(in_flight))
            else:
                held = set(in_flight)
                gaps = [i for i in range(lo, hi) if i not in held]
                outside = (table.c.id < lo) | (table.c.id > hi)
                statement = statement.where(outside | self._id_in(gaps) if gaps else outside)
        return statement.order_by(table.c.id).limit(self.settings.relay_batch_size)

    def _id_in(self, ids: list[int]) -> Any:
        """``id IN ids`` as one array parameter on PostgreSQL (a batch's thousand ids
        are not rendered and bound one by one), an IN list elsewhere."""
        column = self.outbox.c.id
        if self.db.dialect == "postgresql":
            return column == any_(bindparam("ids", ids, type_=ARRAY(BigInteger)))
        return column.in_(ids)

    @contextlib.asynccontextmanager
    async def _one_statement(self) -> AsyncIterator[AsyncConnection]:
        """A connection for one statement, atomic by itself: on PostgreSQL in autocommit
        (one round trip, no BEGIN and COMMIT around it), elsewhere committed after."""
        async with self.db.engine.connect() as conn:
            if self.db.dialect == "postgresql":
                yield await conn.execution_options(isolation_level="AUTOCOMMIT")
            else:
                yield conn
                await conn.commit()

    async def _select_pending(self, in_flight: list[int]) -> list[Row[Any]]:
        async with self._one_statement() as conn:
            return list((await conn.execute(self._pending_statement(in_flight))).all())

    async def _discard_ahead(self) -> None:
        """Drop the prefetched batch and leave the batch in flight unmarked (it is sent
        again: a duplicate, never a loss)."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            ahead.cancel()
            await asyncio.gather(ahead, return_exceptions=True)
        in_flight, self._in_flight = self._in_flight, None
        if in_flight is not None:
            _, futures, spans = in_flight
            _observe_all(futures)
            for span in spans:
                end_span(span, "not marked sent")

    async def _settle_in_flight(self) -> int:
        """Await the batch in flight and mark it sent; how many rows were marked."""
        in_flight, self._in_flight = self._in_flight, None
        return 0 if in_flight is None else await self._settle(*in_flight)

    async def drain_once(self) -> int:
        """Hand up to one batch of pending rows to the producer; return how many.

        The batch stays in flight: the next call sends its own batch first and then
        awaits this one's acknowledgements and marks it sent, so the broker's round trip
        overlaps with the sending; the next batch is selected meanwhile (excluding the
        rows in flight). :meth:`finish` settles the last one.
        """
        ahead, self._ahead = self._ahead, None
        in_flight = [row.id for row in self._in_flight[0]] if self._in_flight else []
        rows = await ahead if ahead is not None else await self._select_pending(in_flight)
        if not rows:
            await self._settle_in_flight()
            OUTBOX_BACKLOG.labels(self.settings.service_name).set(0)
            return 0
        producer = await self._ensure_producer()
        await self._check_topics(producer, {row.topic for row in rows})
        futures, spans = await self._send(producer, rows)
        previous, self._in_flight = self._in_flight, (rows, futures, spans)
        if len(rows) == self.settings.relay_batch_size:
            exclude = sorted(in_flight + [row.id for row in rows])
            self._ahead = asyncio.ensure_future(self._select_pending(exclude))
        if previous is not None:
            try:
                await self._settle(*previous)
            except BaseException:
                await self._discard_ahead()
                raise
        return len(rows)

    async def finish(self) -> int:
        """Settle the batch still in flight and drop any prefetched one; how many rows
        were marked sent."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            ahead.cancel()
            await asyncio.gather(ahead, return_exceptions=True)
        try:
            return await self._settle_in_flight()
        except BaseException:
            await self._discard_ahead()
            raise

    async def _check_topics(self, producer: AIOKafkaProducer, topics: set[str]) -> None:
        # Check the topics exist (one metadata request, at most once a second and after
        # any failure): the embedded broker forgets topics when it restarts, and
        # acknowledges a produce to a topic it no longer knows without keeping it - the
        # producer would never see an error.
        now = time.monotonic()
        if now - self._topics_checked_at > 1.0 or not topics <= self._topics_seen:
            cluster = await producer.client.fetch_all_metadata()
            missing = topics - set(cluster.topics())
            if missing:
                await ensure_topics(self.settings.platform, missing)
                await producer.client.force_metadata_update()
            self._topics_seen = topics | set(cluster.topics())
            self._topics_checked_at = now

    async def _send(
        self, producer: AIOKafkaProducer, rows: list[Row[Any]]
    ) -> tuple[list[asyncio.Future[Any]], list[Any]]:
        """Hand every row to the producer, in order; each row's acknowledgement future.

        Rows are packed into one record batch per partition (``create_batch`` and
        ``send_batch``) and the rows of a batch share its future: the producer's per-record
        ``send`` (its own future, accumulator lookup and size checks per record) cost as
        much CPU as everything else the relay does. Each row goes to the partition
        ``send`` would choose (aiokafka's default partitioner on the key), and a
        partition's batches are submitted in row order, so order per key is kept.
        """
        futures: list[asyncio.Future[Any] | None] = [None] * len(rows)
        # A producer span per row when tracing is on, child of the context stored with the
        # row; the event then carries the span's context (else the stored one, as is).
        publish_tracer = tracer(self.settings.service_name)
        spans: list[Any] = []
        open_batches: dict[tuple[str, int], tuple[Any, list[int]]] = {}
        partitions: dict[str, tuple[list[int], list[int]]] = {}

        async def submit(slot: tuple[str, int]) -> None:
            batch, members = open_batches.pop(slot)
            batch.close()
            future = await producer.send_batch(batch, slot[0], partition=slot[1])
            for index in members:
                futures[index] = future

        try:
            for index, row in enumerate(rows):
                # Unpacked by position (a Row's attribute lookup costs more, per column).
                (
                    _,
                    event_id,
                    topic,
                    row_key,
                    event_type,
                    source,
                    subject,
                    correlation_id,
                    payload,
                    traceparent,
                    tracestate,
                    created_at,
                ) = cast("tuple[Any, ...]", row)
                span = None
                if publish_tracer is not None:
                    span, traceparent, tracestate = start_publish(
                        publish_tracer,
                        topic=topic,
                        event_id=event_id,
                        event_type=event_type,
                        source=source,
                        subject=subject,
                        traceparent=traceparent,
                        tracestate=tracestate,
                    )
                spans.append(span)
                headers = to_headers(
                    event_id=event_id,
                    source=source,
                    event_type=event_type,
                    subject=subject,
                    time=created_at,
                    correlation_id=correlation_id,
                    traceparent=traceparent,
                    tracestate=tracestate,
                )
                key = row_key.encode() if row_key else None
                value = payload.encode()
                known = partitions.get(topic)
                if known is None:
                    known = partitions[topic] = await self._partitions(producer, topic)
                slot = (topic, self._partition_of(key, *known))
                entry = open_batches.get(slot)
                if entry is None:
                    entry = open_batches[slot] = (producer.create_batch(), [])
                if entry[0].append(key=key, value=value, timestamp=None, headers=headers) is None:
                    # Full: submit it and start the partition's next batch with this row
                    # (an empty batch takes any record; the broker judges its size).
                    await submit(slot)
                    entry = open_batches[slot] = (producer.create_batch(), [])
                    entry[0].append(key=key, value=value, timestamp=None, headers=headers)
                entry[1].append(index)
            for slot in list(open_batches):
                await submit(slot)
        except BaseException as exc:
            for unsent in spans:  # none of the batch is marked sent
                end_span(unsent, exc)
            _observe_all(futures)
            raise
        return futures, spans  # type: ignore[return-value]

    def _partition_of(self, key: bytes | None, every: list[int], available: list[int]) -> int:
        """The partition ``send`` would choose for ``key``; a key's choice is kept (aiokafka's
        murmur2 is pure Python), a keyless record's is drawn each time."""
        if key is None:
            return int(self._partitioner(None, every, available))
        chosen = self._partition_of_key.get((key, len(every)))
        if chosen is None:
            if len(self._partition_of_key) >= 100_000:
                self._partition_of_key.clear()
            chosen = self._partition_of_key[key, len(every)] = self._partitioner(
                key, every, available
            )
        return chosen

    async def _partitions(
        self, producer: AIOKafkaProducer, topic: str
    ) -> tuple[list[int], list[int]]:
        """The topic's partitions, all and available, as the partitioner takes them."""
        every = sorted(await producer.partitions_for(topic))
        available = producer.client.cluster.available_partitions_for_topic(topic)
        return every, sorted(available) if available else every

    async def _settle(
        self, rows: list[Row[Any]], futures: list[asyncio.Future[Any]], spans: list[Any]
    ) -> int:
        """Await the acknowledgements and mark the acknowledged prefix sent."""
        table = self.outbox
        # Mark only the prefix that was acknowledged: a later row must never be marked
        # while an earlier one (possibly of the same key) is still unpublished. (Awaiting
        # the futures in turn costs a fraction of gather(): most are done by then.)
        acked = []
        failure: BaseException | None = None
        settled = None
        for row, future, span in zip(rows, futures, spans, strict=True):
            if future is not settled:  # the rows of one record batch share its future
                try:
                    await future
                except Exception as exc:  # noqa: BLE001 - the first failure ends the prefix
                    failure = exc
                    self.last_error = repr(exc)
                    break
                settled = future
            end_span(span)
            acked.append(row.id)
        if failure is not None:
            # Later sends may still fail or land: retrieve them so none is left unobserved.
            _observe_all(futures[len(acked) :])
            for span in spans[len(acked) :]:
                end_span(span, failure)
        if acked:
            async with self._one_statement() as conn:
                await conn.execute(update(table).where(self._id_in(acked)).values(sent_at=utcnow()))
            for event_type, count in Counter(row.type for row in rows[: len(acked)]).items():
                EVENTS_PUBLISHED.labels(self.settings.service_name, event_type).inc(count)
            self.published += len(acked)
            self.last_published_at = utcnow()
        if failure is not None:
            raise failure
        return len(acked)

    async def backlog(self) -> int:
        async with self.db.engine.connect() as conn:
            count = (
                await conn.execute(
                    select(func.count())
                    .select_from(self.outbox)
                    .where(self.outbox.c.sent_at.is_(None))
                )
            ).scalar_one()
            await conn.rollback()
        return int(count)

    async def run(self) -> None:
        """Hold the lease and drain for ever; back off while the broker is away."""
        backoff = 0.2
        poll = self.settings.relay_poll_seconds
        pace = self._pace
        try:
            while True:
                try:
                    if not await self._try_lease():
                        if self.active:
                            log.info("relay lease lost")
                        self.active = False
                        RELAY_ACTIVE.labels(self.settings.service_name).set(0)
                        await self._drop_producer()
                        await asyncio.sleep(min(poll * 2, self.settings.relay_lease_seconds / 2))
                        continue
                    if not self.active:
                        log.info("relay lease acquired by %s", self.holder)
                    self.active = True
                    RELAY_ACTIVE.labels(self.settings.service_name).set(1)
                    # Clear before draining, not after: a commit that wakes us while a
                    # drain is in flight must not be forgotten until the next poll.
                    pace.clear()
                    # Renew the lease between batches so a long drain never outlives it.
                    drained = await self.drain_once()
                    worked = drained > 0
                    while drained == self.settings.relay_batch_size and await self._try_lease():
                        drained = await self.drain_once()
                    # The last batch marked, one selected ahead dropped (the lease may be
                    # lost: it is selected again once held).
                    await self.finish()
                    self.last_error = None
                    backoff = 0.2
                    await pace.wait(worked=worked)
                except asyncio.CancelledError:
                    raise
                except (TimeoutError, KafkaError, OSError) as exc:
                    self.last_error = repr(exc)
                    log.warning("relay cannot publish, retrying in %.1fs: %r", backoff, exc)
                    await self._discard_ahead()
                    await self._drop_producer()
                    if isinstance(exc, UnknownTopicOrPartitionError):
                        backoff = 0.2
                    await asyncio.sleep(backoff * (0.5 + random.random()))
                    backoff = min(backoff * 2, 5.0)
                except Exception as exc:  # noqa: BLE001 - database away: keep the loop alive
                    self.last_error = repr(exc)
                    log.exception("relay iteration failed")
                    await self._discard_ahead()
                    await self._release_pg()
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5.0)
        finally:
            await self._discard_ahead()
            self.active = False
            RELAY_ACTIVE.labels(self.settings.service_name).set(0)
            await self._drop_producer()
            await self._release()

    def state(self) -> dict[str, object]:
        return {
            "holder": self.holder,
            "active": self.active,
            "published": self.published,
            "last_error": self.last_error,
            "last_published_at": self.last_published_at,
        }
