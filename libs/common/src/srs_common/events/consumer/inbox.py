"""The inbox: which events a consumer has applied, so a redelivered one changes nothing.

A row ``(consumer, source, event id)`` is written in the same transaction as the
handler's effects; an event already there is a duplicate.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.db import Database, insert_if_absent, utcnow
from srs_common.events.envelope import Event


class Duplicate(Exception):
    """The event is in the inbox already: it was applied before."""


class Inbox:
    def __init__(self, db: Database, consumer: str) -> None:
        if db.messaging is None:
            raise ValueError("the inbox needs a Database with messaging tables")
        self.consumer = consumer
        self.table = db.messaging.inbox
        self._statement = insert_if_absent(
            db.dialect, self.table, conflict=[c.name for c in self.table.primary_key.columns]
        )
        self._claimed = self._statement.returning(self.table.c.source, self.table.c.event_id)

    async def claim(self, session: AsyncSession, event: Event) -> bool:
        """Record the event in the inbox; False when it was already there (one statement:
        no savepoint, and a concurrent claim of the same event waits for the first)."""
        result = await session.execute(
            self._statement,
            {
                "consumer": self.consumer,
                "source": event.source,
                "event_id": event.id,
                "type": event.type,
                "processed_at": utcnow(),
            },
        )
        return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]

    async def claim_many(self, session: AsyncSession, events: list[Event]) -> list[Event]:
        """Record a run of events in one statement; the ones that were not there before,
        in order (a repeated event counts once)."""
        rows: dict[tuple[str, str], Event] = {}
        for event in events:
            rows.setdefault((event.source, event.id), event)
        if not rows:
            return []
        now = utcnow()
        # The rows as execute parameters (one INSERT ... VALUES of them all, "insertmanyvalues"),
        # not ``.values([...])``, which SQLAlchemy compiles again on every call.
        claimed = await session.execute(
            self._claimed,
            [
                {
                    "consumer": self.consumer,
                    "source": event.source,
                    "event_id": event.id,
                    "type": event.type,
                    "processed_at": now,
                }
                for event in rows.values()
            ],
        )
        new = {(source, event_id) for source, event_id in claimed}
        return [event for key, event in rows.items() if key in new]

    async def claim_or_raise(self, session: AsyncSession, event: Event) -> None:
        """:meth:`claim`, raising :class:`Duplicate` (to roll the transaction back) when
        the event was applied before."""
        if not await self.claim(session, event):
            raise Duplicate
