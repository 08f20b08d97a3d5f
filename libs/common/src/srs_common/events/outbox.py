"""Writing events: an outbox row in the same transaction as the state change."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.contracts.base import Contract
from srs_common.db import utcnow
from srs_common.observability import current_correlation_id
from srs_common.tracing import current_context

OUTBOX_WRITTEN = "srs_outbox_written"
#: PostgreSQL channel a transaction that writes outbox rows notifies (delivered only if it
#: commits); the relay listens on it so that a replica's commit wakes it at once.
OUTBOX_CHANNEL = "srs_outbox"


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
    await session.execute(insert(outbox).values(rows))
    if not session.info.get(OUTBOX_WRITTEN) and session.info.get("dialect") == "postgresql":
        await session.execute(select(func.pg_notify(OUTBOX_CHANNEL, "")))
    session.info[OUTBOX_WRITTEN] = True
    return ids
