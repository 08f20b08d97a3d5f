"""Dead letters and the per-key quarantine.

A record that cannot be applied goes to ``srs.dlq.<consumer>`` with its origin in
``srs_dlq_*`` headers. When it is quarantined (it has a key), a quarantine row holds its
key: later events with that key are dead-lettered behind it, so none overtakes it, until
the held one is replayed (``srs_replay`` header: applied, then resolved) or discarded by
operations (``srs_discard`` header: resolved without applying).
"""

from __future__ import annotations

import logging

from aiokafka import AIOKafkaProducer, ConsumerRecord
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.config import ServiceSettings
from srs_common.db import Database, utcnow
from srs_common.events.bus import start_producer, stop_quietly
from srs_common.events.envelope import Event
from srs_common.observability import DEAD_LETTERS
from srs_common.tracing import mark_current_failed

log = logging.getLogger(__name__)

REPLAY_HEADER = "srs_replay"
# Operations discarded this dead letter: resolve its quarantine without applying it.
DISCARD_HEADER = "srs_discard"


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


class DeadLetters:
    """One consumer's dead-letter topic and quarantine."""

    def __init__(self, db: Database, settings: ServiceSettings, consumer: str) -> None:
        if db.messaging is None:
            raise ValueError("dead letters need a Database with messaging tables")
        self.db = db
        self.settings = settings
        self.consumer = consumer
        self.topic = f"srs.dlq.{consumer}"
        self.quarantine = db.messaging.quarantine
        self.count = 0
        # Keys with an unresolved dead letter; loaded at start so the common case (no
        # quarantine) costs no query. Only the partition's owner touches a key's rows.
        self.open_keys: set[str] = set()
        self._producer: AIOKafkaProducer | None = None

    def holds(self, key: str | None) -> bool:
        """Whether ``key`` may have an unresolved dead letter (no query)."""
        return key is not None and key in self.open_keys

    async def unresolved_keys(self) -> set[str]:
        """The keys with an unresolved dead letter, from the database."""
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
        return set(keys)

    async def blocking(self, key: str | None, event_id: str) -> tuple[str | None, bool]:
        """The unresolved dead letter this event must wait behind, if any, and whether
        this event is itself the head of its key's quarantine (a replay)."""
        if key is None or key not in self.open_keys:
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
            self.open_keys.discard(key)
            return None, False
        if rows[0].event_id == event_id:
            return None, True  # the head of its key's queue: let it through
        return rows[0].event_id, False

    async def resolve(self, session: AsyncSession, event: Event) -> None:
        """Release the quarantine ``event`` heads (in the caller's transaction)."""
        q = self.quarantine
        await session.execute(
            update(q)
            .where(q.c.consumer == self.consumer)
            .where(q.c.event_id == event.id)
            .where(q.c.resolved_at.is_(None))
            .values(resolved_at=utcnow())
        )

    async def send(
        self,
        record: ConsumerRecord,
        *,
        error: str,
        attempts: int,
        reason: str,
        hold: Event | None = None,
    ) -> None:
        """Send ``record`` to the dead-letter topic; with ``hold`` (an event with a key),
        quarantine its key behind it."""
        if self._producer is None:
            self._producer = await start_producer(self.settings.platform)
        headers = dead_letter_headers(
            record, consumer=self.consumer, error=error, attempts=attempts, reason=reason
        )
        await self._producer.send_and_wait(
            self.topic, value=record.value, key=record.key, headers=headers
        )
        if hold is not None and hold.key is not None:
            await self._hold(hold, hold.key, f"{reason}: {error}"[:2000])
        self.count += 1
        DEAD_LETTERS.labels(self.consumer).inc()
        mark_current_failed(f"dead-lettered: {reason}")
        log.warning(
            "dead-lettered %s offset %s (%s): %s", record.topic, record.offset, reason, error[:200]
        )

    async def _hold(self, event: Event, key: str, reason: str) -> None:
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
                        key=key,
                        event_id=event.id,
                        reason=reason,
                        created_at=utcnow(),
                    )
                )
        self.open_keys.add(key)

    async def close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await stop_quietly(producer)
