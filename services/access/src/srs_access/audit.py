"""The append-only, hash-chained audit log: append under a lock, verify the chain."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from srs_access.domain import GENESIS_HASH, audit_fields, audit_hash
from srs_access.models import AuditEntry

AUDIT = AuditEntry.__table__
# One PostgreSQL advisory lock serialises chain appends across every process.
_CHAIN_LOCK = 0x53525341  # "SRSA"
_VERIFY_BATCH = 1000


async def append_audit(session: AsyncSession, *, actor: str, action: str, outcome: str,
                       researcher_id: str | None, project_id: str | None,
                       detail: dict[str, Any], occurred_at: dt.datetime) -> int:
    """Append one entry carrying the hash of the one before; returns its sequence number.

    Appends are serialised until the transaction ends: on PostgreSQL by a transaction-level
    advisory lock, on SQLite by the database write lock every transaction takes up front
    (BEGIN IMMEDIATE). Call it last in a transaction to hold the lock briefly. The unique
    ``seq`` key is the backstop: two appenders can never both extend the same tail.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    last = (await session.execute(
        select(AUDIT.c.seq, AUDIT.c.hash).order_by(AUDIT.c.seq.desc()).limit(1))).first()
    seq = last.seq + 1 if last else 1
    prev_hash = last.hash if last else GENESIS_HASH
    fields = audit_fields(seq, occurred_at, actor, action, outcome, researcher_id, project_id,
                          detail)
    await session.execute(insert(AUDIT).values(
        seq=seq, occurred_at=occurred_at, actor=actor, action=action, outcome=outcome,
        researcher_id=researcher_id, project_id=project_id, detail=detail,
        prev_hash=prev_hash, hash=audit_hash(prev_hash, fields)))
    return seq


@dataclass(frozen=True)
class ChainReport:
    valid: bool
    entries_checked: int
    first_broken_seq: int | None = None
    problem: str | None = None


async def verify_chain(session: AsyncSession) -> ChainReport:
    """Walk the chain in order, in batches, and name the first broken link: an entry
    whose content no longer matches its hash (edited), whose predecessor's hash differs
    from what it carries, or whose sequence number skips (deleted entries)."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    while True:
        rows = (await session.execute(
            select(AUDIT).where(AUDIT.c.seq >= expected_seq).order_by(AUDIT.c.seq)
            .limit(_VERIFY_BATCH))).all()
        if not rows:
            return ChainReport(valid=True, entries_checked=checked)
        for row in rows:
            if row.seq != expected_seq:
                return ChainReport(False, checked, expected_seq,
                                   f"entries {expected_seq}..{row.seq - 1} are missing: "
                                   f"entry {row.seq} follows entry {expected_seq - 1}")
            if row.prev_hash != prev_hash:
                return ChainReport(False, checked, row.seq,
                                   "the previous-entry hash it carries does not match")
            fields = audit_fields(row.seq, row.occurred_at, row.actor, row.action, row.outcome,
                                  row.researcher_id, row.project_id, row.detail)
            if audit_hash(prev_hash, fields) != row.hash:
                return ChainReport(False, checked, row.seq,
                                   "its content does not match its hash (edited)")
            prev_hash, expected_seq, checked = row.hash, row.seq + 1, checked + 1
