"""Writing events: an outbox row in the same transaction as the state change."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from srs_common.contracts.base import Contract
from srs_common.db import utcnow
from srs_common.observability import current_correlation_id
from srs_common.tracing import current_context

OUTBOX_WRITTEN = "srs_outbox_written"
#: PostgreSQL channel notified after a commit that wrote outbox rows (:class:`OutboxSignal`);
#: the relay listens on it so that a replica's commit wakes it at once.
OUTBOX_CHANNEL = "srs_outbox"

log = logging.getLogger(__name__)


class OutboxSignal:
    """Tells the relay, wherever it runs, that outbox rows were committed: a NOTIFY on
    :data:`OUTBOX_CHANNEL`, sent after the commit on a connection of its own.

    Not inside the writing transaction: PostgreSQL holds a cluster-wide lock while a
    transaction that notified commits, which made every writer of every service commit
    one at a time (half the transactions per second with ten connections, measured).
    At most one NOTIFY is in flight; commits made meanwhile share the next one. Nothing
    is sent while this process's own relay holds the lease (its after-commit wake is
    enough). A NOTIFY that fails costs only latency: the relay polls as well.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        #: This process's relay, when it runs one (set by the service runtime).
        self.relay: Any = None
        self._task: asyncio.Task[None] | None = None
        self._again = False

    def after_commit(self, session: AsyncSession) -> None:
        if not session.info.get(OUTBOX_WRITTEN):
            return
        if self.relay is not None and self.relay.active:
            return
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.get_running_loop().create_task(self._send())

    async def _send(self) -> None:
        while True:
            self._again = False
            try:
                async with self.engine.connect() as conn:
                    await conn.execute(select(func.pg_notify(OUTBOX_CHANNEL, "")))
                    await conn.commit()
            except Exception:  # noqa: BLE001 - the relay's poll finds the rows anyway
                log.debug("outbox NOTIFY failed", exc_info=True)
            if not self._again:
                return


async def publish(session: AsyncSession, payload: Contract, *, subject: str) -> str:
    """Record ``payload`` as an event about ``subject``; it leaves with the commit.

    Returns the event id. Nothing is sent here: the relay publishes committed rows only,
    so a rolled-back transaction publishes nothing.
    """
    (event_id,) = await publish_many(session, [(payload, subject, current_correlation_id())])
    return event_id


async def publish_many(
    session: AsyncSession, events: Sequence[tuple[Contract, str, str | None]]
) -> list[str]:
    """Record several events, each ``(payload, subject, correlation id)``, in one
    statement and in order (a set-based handler's many results); their ids."""
    if not events:
        return []
    outbox = session.info.get("outbox")
    service = session.info.get("service")
    if outbox is None or service is None:
        raise RuntimeError("session was not created by a service Database with messaging tables")
    # The trace this write belongs to, for the relay's publish span (None when off).
    traceparent, tracestate = current_context()
    now = utcnow()
    ids = [str(uuid.uuid4()) for _ in events]
    rows = [
        {
            "event_id": event_id,
            "topic": payload.topic,
            "key": subject,
            "type": payload.type,
            "source": f"/srs/{service}",
            "subject": subject,
            "correlation_id": correlation,
            "traceparent": traceparent,
            "tracestate": tracestate,
            "payload": payload.model_dump_json(),
            "created_at": now,
        }
        for event_id, (payload, subject, correlation) in zip(ids, events, strict=True)
    ]
    # The rows as execute parameters, not ``.values(rows)``: a statement carrying its
    # values is compiled again on every call (SQLAlchemy cannot cache it), this one once.
    await session.execute(insert(outbox), rows)
    session.info[OUTBOX_WRITTEN] = True  # the relay is woken after the commit
    return ids
