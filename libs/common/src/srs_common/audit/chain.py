"""The append-only, hash-chained, anchored audit log every decision-recording service keeps.

Writing and chaining are split so that decisions never queue behind each other's commits:
:meth:`AuditLog.append` inserts the entry in the decision's own transaction;
:meth:`AuditLog.seal` then links entries into the chain in batches, each taking the next
``seq`` and the hash of the entry before it. Sealing is serialised - on PostgreSQL by a
transaction-level advisory lock, on SQLite by the database write lock every transaction
takes up front (BEGIN IMMEDIATE) - and the unique ``seq`` is the backstop: two sealers can
never both extend the same tail. The sealer runs as a background job, and the audit routes
seal first, so what they show is complete.

A chain alone cannot show that its newest entries were deleted, nor that it was
rewritten, fresh hashes and all, from an edited entry onwards. So every sealing batch also
records an anchor - the newest ``seq`` and its hash - in ``audit_anchor`` and publishes it
as an event (the service's ``anchored`` contract), which takes the head out of the
service's database (the operations event store keeps every one). Verification checks the
chain against every stored anchor and, when asked, against one taken from the stream.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import zlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ColumnElement,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.contracts.base import AuditAnchored
from srs_common.db import UTCDateTime, utcnow
from srs_common.events.outbox import publish
from srs_common.pacing import IdlePoll

log = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
ANCHOR_SUBJECT = "audit-chain"
BATCH = 1000
# The columns the hash covers besides seq and occurred_at, in the canonical form's order.
_SUBJECT_FIELDS = ("subject_type", "subject_id")


def audit_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 over the previous entry's hash and a canonical form of the entry."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev_hash}|{canonical}".encode()).hexdigest()


def audit_fields(seq: int, row: Any) -> dict[str, Any]:
    """What the hash covers: every column but the id and the hashes themselves. An entry
    about no particular subject hashes without the subject keys, as entries did before
    the log recorded subjects, so chains written then still verify."""
    fields = {
        "seq": seq,
        "occurred_at": row.occurred_at.astimezone(dt.UTC).isoformat(),
        "actor": row.actor,
        "action": row.action,
        "outcome": row.outcome,
        "researcher_id": row.researcher_id,
        "project_id": row.project_id,
        "detail": row.detail,
    }
    for name in _SUBJECT_FIELDS:
        if getattr(row, name) is not None:
            fields[name] = getattr(row, name)
    return fields


@dataclass(frozen=True)
class ChainReport:
    """The outcome of walking a chain: valid, or the first broken entry and why."""

    valid: bool
    entries_checked: int
    first_broken_seq: int | None = None
    problem: str | None = None
    newest_anchor_seq: int | None = None


class AuditLog:
    """One service's audit log: its two tables (in the service's metadata, so its
    Alembic migrations create them) and the operations on them.

    ``anchored`` is the service's contract for an anchor event; it is built with ``seq``,
    ``hash``, ``entries`` and ``anchored_at``.
    """

    def __init__(self, metadata: MetaData, *, service: str, anchored: type[AuditAnchored]) -> None:
        self.service = service
        self.anchored = anchored
        # The PostgreSQL advisory lock of this chain's tail: one per service.
        self.lock_key = zlib.crc32(f"srs-audit-{service}".encode()) & 0x7FFFFFFF
        self.entries = Table(
            "audit_entry",
            metadata,
            Column(
                "id",
                BigInteger().with_variant(Integer(), "sqlite"),
                primary_key=True,
                autoincrement=True,
            ),
            Column("seq", BigInteger, unique=True),
            Column("occurred_at", UTCDateTime(), nullable=False, index=True),
            Column("actor", String(100), nullable=False),
            Column("action", String(60), nullable=False),
            Column("outcome", String(40), nullable=False),
            Column("subject_type", String(40)),
            Column("subject_id", String(100)),
            Column("researcher_id", String(100), index=True),
            Column("project_id", String(40), index=True),
            Column("detail", JSON, nullable=False),
            Column("prev_hash", String(64)),
            Column("hash", String(64), unique=True),
            Index(
                "ix_audit_entry_unsealed",
                "id",
                postgresql_where=text("seq IS NULL"),
                sqlite_where=text("seq IS NULL"),
            ),
            Index("ix_audit_entry_subject", "subject_type", "subject_id"),
        )
        self.anchors = Table(
            "audit_anchor",
            metadata,
            Column("seq", BigInteger, primary_key=True, autoincrement=False),
            Column("hash", String(64), nullable=False),
            Column("entries", Integer, nullable=False),
            Column("anchored_at", UTCDateTime(), nullable=False),
        )
        self._append = insert(self.entries).returning(self.entries.c.id)

    async def append(
        self,
        session: AsyncSession,
        *,
        actor: str,
        action: str,
        outcome: str,
        occurred_at: dt.datetime,
        subject: tuple[str, str] | None = None,
        researcher_id: str | None = None,
        project_id: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> int:
        """Record a decision (who, what, about what, when, why) in the caller's
        transaction; returns the entry's id. It joins the chain when sealed."""
        subject_type, subject_id = subject if subject else (None, None)
        result = await session.execute(
            self._append,
            {
                "occurred_at": occurred_at,
                "actor": actor,
                "action": action,
                "outcome": outcome,
                "subject_type": subject_type,
                "subject_id": subject_id,
                "researcher_id": researcher_id,
                "project_id": project_id,
                "detail": detail or {},
            },
        )
        return int(result.scalar_one())

    async def seal(self, session: AsyncSession, *, batch: int = BATCH) -> int:
        """Link up to ``batch`` unsealed entries into the chain, oldest first, and anchor
        the new head; returns how many. Safe to run from several processes at once."""
        entries = self.entries
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": self.lock_key}
            )
        tail = (
            await session.execute(
                select(entries.c.seq, entries.c.hash)
                .where(entries.c.seq.is_not(None))
                .order_by(entries.c.seq.desc())
                .limit(1)
            )
        ).first()
        seq, prev_hash = (tail.seq, tail.hash) if tail else (0, GENESIS_HASH)
        rows = (
            await session.execute(
                select(entries).where(entries.c.seq.is_(None)).order_by(entries.c.id).limit(batch)
            )
        ).all()
        links = []
        for row in rows:
            seq += 1
            entry_hash = audit_hash(prev_hash, audit_fields(seq, row))
            links.append(
                {"entry_id": row.id, "new_seq": seq, "new_prev": prev_hash, "new_hash": entry_hash}
            )
            prev_hash = entry_hash
        if not links:
            return 0
        await session.execute(
            update(entries)
            .where(entries.c.id == bindparam("entry_id"))
            .values(
                seq=bindparam("new_seq"),
                prev_hash=bindparam("new_prev"),
                hash=bindparam("new_hash"),
            ),
            links,
            execution_options={"synchronize_session": False},
        )
        anchored_at = utcnow()
        await session.execute(
            insert(self.anchors).values(
                seq=seq, hash=prev_hash, entries=len(links), anchored_at=anchored_at
            )
        )
        await publish(
            session,
            self.anchored(seq=seq, hash=prev_hash, entries=len(links), anchored_at=anchored_at),
            subject=ANCHOR_SUBJECT,
        )
        return len(links)

    async def seal_everything(self, session: AsyncSession) -> None:
        """Seal until nothing is left (the audit routes call it before reading)."""
        while await self.seal(session) == BATCH:
            pass

    def sealer_job(self, interval_setting: str = "audit_seal_interval_seconds") -> Any:
        """A background job for the service's spec: seal new entries every
        ``settings.<interval_setting>`` seconds (half a second when unset) while entries
        come, less and less often at rest (up to ten times as long)."""

        async def audit_sealer(runtime: Any) -> None:
            interval = float(getattr(runtime.settings, interval_setting, 0.5))
            pace = IdlePoll(interval, interval * 10)
            while True:
                try:
                    async with runtime.db.transaction() as session:
                        sealed = await self.seal(session)
                except asyncio.CancelledError:
                    raise
                except Exception:  # noqa: BLE001 - logged, retried on the next tick
                    log.exception("audit sealing failed")
                    sealed = 0
                if sealed < BATCH:
                    await pace.wait(worked=sealed > 0)

        audit_sealer.__name__ = f"{self.service}_audit_sealer"
        return audit_sealer

    async def trail(
        self, session: AsyncSession, *where: ColumnElement[bool], limit: int = BATCH
    ) -> list[Row[Any]]:
        """Entries matching ``where`` (e.g. one subject's), oldest first, sealed or not."""
        query = select(self.entries).where(*where).order_by(self.entries.c.id).limit(limit)
        return list((await session.execute(query)).all())

    def about(self, subject_type: str, subject_id: str) -> ColumnElement[bool]:
        """The condition selecting the entries about one subject."""
        return (self.entries.c.subject_type == subject_type) & (
            self.entries.c.subject_id == subject_id
        )

    async def verify(
        self, session: AsyncSession, *, anchor: tuple[int, str] | None = None
    ) -> ChainReport:
        """Walk the sealed chain in order, in batches, and name the first broken link: an
        entry whose content no longer matches its hash (edited), whose predecessor's hash
        differs from what it carries, whose sequence number skips (deleted entries), or
        that disagrees with an anchor - the stored ones, and ``anchor`` (seq, hash) when
        given, e.g. one read from the event stream. A chain that ends before its newest
        anchor lost its newest entries."""
        entries, anchors_table = self.entries, self.anchors
        expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
        while True:
            rows = (
                await session.execute(
                    select(entries)
                    .where(entries.c.seq >= expected_seq)
                    .order_by(entries.c.seq)
                    .limit(BATCH)
                )
            ).all()
            if not rows:
                break
            anchored = await session.execute(
                select(anchors_table.c.seq, anchors_table.c.hash).where(
                    anchors_table.c.seq.between(rows[0].seq, rows[-1].seq)
                )
            )
            anchors: dict[int, str] = {seq: head for seq, head in anchored}
            if anchor is not None and rows[0].seq <= anchor[0] <= rows[-1].seq:
                anchors.setdefault(anchor[0], anchor[1])
                if anchors[anchor[0]] != anchor[1]:
                    return ChainReport(
                        False,
                        checked,
                        anchor[0],
                        "the anchor given disagrees with the anchor stored",
                    )
            for row in rows:
                problem = _broken(row, expected_seq, prev_hash, anchors)
                if problem is not None:
                    return ChainReport(False, checked, *problem)
                prev_hash, expected_seq, checked = row.hash, row.seq + 1, checked + 1
        last = expected_seq - 1
        newest = (await session.execute(select(func.max(anchors_table.c.seq)))).scalar()
        if anchor is not None:
            newest = max(newest or 0, anchor[0])
        if newest is not None and newest > last:
            return ChainReport(
                False,
                checked,
                expected_seq,
                f"entries {expected_seq}..{newest} are missing: the chain ends at "
                f"entry {last} but was anchored at entry {newest}",
                newest,
            )
        return ChainReport(valid=True, entries_checked=checked, newest_anchor_seq=newest)


def _broken(
    row: Any, expected_seq: int, prev_hash: str, anchors: dict[int, str]
) -> tuple[int, str] | None:
    """Why one sealed entry breaks the chain (its seq and the reason), or None."""
    if row.seq != expected_seq:
        return expected_seq, (
            f"entries {expected_seq}..{row.seq - 1} are missing: "
            f"entry {row.seq} follows entry {expected_seq - 1}"
        )
    if row.prev_hash != prev_hash:
        return row.seq, "the previous-entry hash it carries does not match"
    if audit_hash(prev_hash, audit_fields(row.seq, row)) != row.hash:
        return row.seq, "its content does not match its hash (edited)"
    if anchors.get(row.seq, row.hash) != row.hash:
        return row.seq, (
            "its hash differs from the one anchored when it was sealed "
            "(the chain was rewritten from here or before)"
        )
    return None


__all__ = [
    "ANCHOR_SUBJECT",
    "GENESIS_HASH",
    "AuditLog",
    "ChainReport",
    "audit_fields",
    "audit_hash",
]
