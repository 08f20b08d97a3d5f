"""The append-only, hash-chained audit log.

Writing and chaining are split so that decisions never queue behind each other's
commits: :func:`append_audit` inserts the entry in the decision's own transaction;
:func:`seal_audit` then links entries into the chain in batches, each taking the next
``seq`` and the hash of the entry before it. Sealing is serialised - on PostgreSQL by a
transaction-level advisory lock, on SQLite by the database write lock every transaction
takes up front (BEGIN IMMEDIATE) - and the unique ``seq`` is the backstop: two sealers
can never both extend the same tail. The sealer runs as a background job, and the audit
routes seal first, so what they show is complete.

A chain alone cannot show that its newest entries were deleted, nor that it was
rewritten, fresh hashes and all, from an edited entry onwards. So every sealing batch
also records an anchor - the newest ``seq`` and its hash - in ``audit_anchor`` and
publishes it as ``audit_chain.anchored``, which takes the head out of this database
(the operations event store keeps every one). Verification checks the chain against
every stored anchor and, when asked, against one taken from the event stream.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from srs_access.domain import GENESIS_HASH, audit_fields, audit_hash
from srs_access.models import AuditAnchor, AuditEntry
from srs_common.app import Runtime
from srs_common.contracts.access import AuditChainAnchored
from srs_common.db import utcnow
from srs_common.events.outbox import publish

log = logging.getLogger(__name__)

AUDIT = AuditEntry.__table__
ANCHOR = AuditAnchor.__table__
ANCHOR_SUBJECT = "audit-chain"
_CHAIN_LOCK = 0x53525341  # "SRSA": the PostgreSQL advisory lock of the chain's tail
_BATCH = 1000
# Built once: decisions append on the hot path.
_APPEND = insert(AUDIT).returning(AUDIT.c.id)


async def append_audit(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    outcome: str,
    researcher_id: str | None,
    project_id: str | None,
    detail: dict[str, Any],
    occurred_at: dt.datetime,
) -> int:
    """Record a decision (who, what, when, why); returns the entry's id. It joins the
    hash chain when sealed."""
    result = await session.execute(
        _APPEND,
        {
            "occurred_at": occurred_at,
            "actor": actor,
            "action": action,
            "outcome": outcome,
            "researcher_id": researcher_id,
            "project_id": project_id,
            "detail": detail,
        },
    )
    return int(result.scalar_one())


async def seal_audit(session: AsyncSession, *, batch: int = _BATCH) -> int:
    """Link up to ``batch`` unsealed entries into the chain, oldest first; returns how
    many. Safe to run from several processes at once."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    tail = (
        await session.execute(
            select(AUDIT.c.seq, AUDIT.c.hash)
            .where(AUDIT.c.seq.is_not(None))
            .order_by(AUDIT.c.seq.desc())
            .limit(1)
        )
    ).first()
    seq, prev_hash = (tail.seq, tail.hash) if tail else (0, GENESIS_HASH)
    rows = (
        await session.execute(
            select(AUDIT).where(AUDIT.c.seq.is_(None)).order_by(AUDIT.c.id).limit(batch)
        )
    ).all()
    links = []
    for row in rows:
        seq += 1
        fields = audit_fields(
            seq,
            row.occurred_at,
            row.actor,
            row.action,
            row.outcome,
            row.researcher_id,
            row.project_id,
            row.detail,
        )
        entry_hash = audit_hash(prev_hash, fields)
        links.append(
            {"entry_id": row.id, "new_seq": seq, "new_prev": prev_hash, "new_hash": entry_hash}
        )
        prev_hash = entry_hash
    if links:
        await session.execute(
            update(AUDIT)
            .where(AUDIT.c.id == bindparam("entry_id"))
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
            insert(ANCHOR).values(
                seq=seq, hash=prev_hash, entries=len(links), anchored_at=anchored_at
            )
        )
        await publish(
            session,
            AuditChainAnchored(
                seq=seq, hash=prev_hash, entries=len(links), anchored_at=anchored_at
            ),
            subject=ANCHOR_SUBJECT,
        )
    return len(links)


async def seal_everything(session: AsyncSession) -> None:
    while await seal_audit(session) == _BATCH:
        pass


async def audit_sealer_job(runtime: Runtime) -> None:
    """Background job: seal new entries every ``audit_seal_interval_seconds``."""
    interval = getattr(runtime.settings, "audit_seal_interval_seconds", 0.5)
    while True:
        try:
            async with runtime.db.transaction() as session:
                sealed = await seal_audit(session)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - logged, retried on the next tick
            log.exception("audit sealing failed")
            sealed = 0
        if sealed < _BATCH:
            await asyncio.sleep(interval)


@dataclass(frozen=True)
class ChainReport:
    valid: bool
    entries_checked: int
    first_broken_seq: int | None = None
    problem: str | None = None
    newest_anchor_seq: int | None = None


async def verify_chain(
    session: AsyncSession, *, anchor: tuple[int, str] | None = None
) -> ChainReport:
    """Walk the sealed chain in order, in batches, and name the first broken link: an
    entry whose content no longer matches its hash (edited), whose predecessor's hash
    differs from what it carries, whose sequence number skips (deleted entries), or
    that disagrees with an anchor - the stored ones, and ``anchor`` (seq, hash) when
    given, e.g. one read from the event stream. A chain that ends before its newest
    anchor lost its newest entries."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    while True:
        rows = (
            await session.execute(
                select(AUDIT).where(AUDIT.c.seq >= expected_seq).order_by(AUDIT.c.seq).limit(_BATCH)
            )
        ).all()
        if not rows:
            break
        anchors = dict(
            (
                await session.execute(
                    select(ANCHOR.c.seq, ANCHOR.c.hash).where(
                        ANCHOR.c.seq.between(rows[0].seq, rows[-1].seq)
                    )
                )
            ).all()
        )
        if anchor is not None and rows[0].seq <= anchor[0] <= rows[-1].seq:
            anchors.setdefault(anchor[0], anchor[1])
            if anchors[anchor[0]] != anchor[1]:
                return ChainReport(
                    False, checked, anchor[0], "the anchor given disagrees with the anchor stored"
                )
        for row in rows:
            if row.seq != expected_seq:
                return ChainReport(
                    False,
                    checked,
                    expected_seq,
                    f"entries {expected_seq}..{row.seq - 1} are missing: "
                    f"entry {row.seq} follows entry {expected_seq - 1}",
                )
            if row.prev_hash != prev_hash:
                return ChainReport(
                    False, checked, row.seq, "the previous-entry hash it carries does not match"
                )
            fields = audit_fields(
                row.seq,
                row.occurred_at,
                row.actor,
                row.action,
                row.outcome,
                row.researcher_id,
                row.project_id,
                row.detail,
            )
            if audit_hash(prev_hash, fields) != row.hash:
                return ChainReport(
                    False, checked, row.seq, "its content does not match its hash (edited)"
                )
            if anchors.get(row.seq, row.hash) != row.hash:
                return ChainReport(
                    False,
                    checked,
                    row.seq,
                    "its hash differs from the one anchored when it was "
                    "sealed (the chain was rewritten from here or before)",
                )
            prev_hash, expected_seq, checked = row.hash, row.seq + 1, checked + 1
    last = expected_seq - 1
    newest = (await session.execute(select(func.max(ANCHOR.c.seq)))).scalar()
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
