"""The fetch loop: consumer group membership, explicit offset commits, reconnection.

:class:`ConsumerRunner` fetches the assigned partitions' records, hands them to
:class:`~srs_common.events.consumer.records.Records` (which applies each partition's in
order through the inbox, retrying or dead-lettering what fails), then commits the offsets.
An offset is committed only after the database commit (or the dead letter's
acknowledgement), so nothing is lost and a redelivery is harmless.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError, UnknownTopicOrPartitionError

from srs_common.config import ServiceSettings
from srs_common.db import Database
from srs_common.events.bus import ensure_topics, stop_quietly
from srs_common.events.consumer.dead_letters import DeadLetters
from srs_common.events.consumer.inbox import Inbox
from srs_common.events.consumer.records import Records
from srs_common.events.envelope import Event
from srs_common.events.handlers import Handler
from srs_common.observability import CONSUMER_LAG
from srs_common.tracing import tracer

log = logging.getLogger(__name__)


class ConsumerRunner:
    """Consumes ``topics`` in consumer group ``srs-<consumer>`` into ``handlers`` (a
    :class:`~srs_common.events.handlers.Handlers` registry, or any mapping from event type
    to handler; ``"*"`` is the catch-all)."""

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
        self.topics = list(topics)
        self.consumer = consumer or settings.consumer_name
        self.group_id = group_id or f"srs-{self.consumer}"
        self.inbox = Inbox(db, self.consumer)
        self.dead_letters = DeadLetters(db, settings, self.consumer)
        self._sleep = sleep
        self.records = Records(
            db=db,
            settings=settings,
            handlers=handlers,
            consumer=self.consumer,
            inbox=self.inbox,
            dead_letters=self.dead_letters,
            sleep=sleep,
            # None while tracing is off: process_span is then a bare yield.
            tracer=tracer(settings.service_name),
        )
        self._consumer: AIOKafkaConsumer | None = None
        self.running = False
        self.last_error: str | None = None
        self._watch_since = self._records_at = time.monotonic()

    @property
    def handlers(self) -> Mapping[str, Handler]:
        return self.records.handlers

    @property
    def dead_letter_topic(self) -> str:
        return self.dead_letters.topic

    @property
    def processed(self) -> int:
        """Events applied (duplicates not counted)."""
        return self.records.processed

    @property
    def dead_lettered(self) -> int:
        return self.dead_letters.count

    async def apply(
        self, event: Event, handler: Handler | None = None, *, resolve: bool = False
    ) -> bool:
        """Run the handler and record the event in the inbox, in one transaction.

        Returns False (and changes nothing) when the event was already applied.
        Tests call this directly to prove handlers idempotent without a broker.
        """
        return await self.records.apply(event, handler, resolve=resolve)

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
        keys = await self.dead_letters.unresolved_keys()
        try:
            await consumer.start()
        except BaseException:
            await stop_quietly(consumer)
            raise
        self.dead_letters.open_keys = keys
        self._consumer = consumer
        self._watch_since = self._records_at = time.monotonic()
        return consumer

    def _pace_fetches(self, consumer: AIOKafkaConsumer, received: bool) -> None:
        """Fetch with the short wait while records flow, and with the long one once none
        has come for ``consumer_idle_after_seconds``: a consumer at rest then asks the
        broker once a second instead of twenty times. Apache Kafka answers a waiting
        fetch as soon as a record arrives, so only the embedded broker's first record
        after a rest is later (by a fraction of the long wait)."""
        platform = self.settings.platform
        fetcher = getattr(consumer, "_fetcher", None)  # aiokafka builds each request from it
        if fetcher is None or not hasattr(fetcher, "_fetch_max_wait_ms"):
            return
        now = time.monotonic()
        if received:
            self._records_at = now
            wait = platform.fetch_max_wait_ms
        elif now - self._records_at > self.settings.consumer_idle_after_seconds:
            wait = max(platform.fetch_max_wait_ms, platform.fetch_idle_max_wait_ms)
        else:
            return
        fetcher._fetch_max_wait_ms = wait  # noqa: SLF001

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

    async def _close(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            await stop_quietly(consumer)
        await self.dead_letters.close()

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
                    self._pace_fetches(consumer, bool(batches))
                    if batches:
                        # One run over every partition fetched (each partition's records
                        # stay in order; records of different partitions never had one),
                        # so a burst spread over partitions still shares transactions;
                        # then one offset commit for them all.
                        await self.records.process_all(
                            [record for records in batches.values() for record in records]
                        )
                        await consumer.commit(
                            {tp: records[-1].offset + 1 for tp, records in batches.items()}
                        )
                        for tp, records in batches.items():
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
