"""The shared audit log against the real database: entries chain when sealed, each
sealing batch leaves an anchor (stored and published), and verification names the first
entry that was edited, deleted or rewritten."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import MetaData, delete, func, select, update

from srs_common.audit import AuditLog
from srs_common.audit.chain import audit_fields, audit_hash
from srs_common.contracts.base import AuditAnchored
from srs_common.db import Database
from srs_common.events.tables import messaging_tables
from srs_common.testing import database_url_for, ensure_postgres_database, truncate_all


class WidgetAuditAnchored(AuditAnchored):
    """Test-only anchor contract."""

    type: ClassVar[str] = "srs.widget.audit_anchored.v1"
    topic: ClassVar[str] = "srs.widgets-audit-test"
    example: ClassVar[dict] = {}


metadata = MetaData()
messaging = messaging_tables(metadata)
audit = AuditLog(metadata, service="widgets", anchored=WidgetAuditAnchored)
AT = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
async def db(srs_tmp: Path) -> AsyncIterator[Database]:
    url = database_url_for("audit_mechanism", srs_tmp)
    if url.startswith("postgresql"):
        ensure_postgres_database(url, recreate=False)
    database = Database(url, service="widgets", messaging=messaging)
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await truncate_all(database, metadata)
    yield database
    await database.dispose()


async def record(db: Database, count: int, *, subject: str = "w1") -> None:
    async with db.transaction() as session:
        for n in range(count):
            await audit.append(
                session,
                actor="panel-1",
                action="widget.approve",
                outcome="approved",
                occurred_at=AT + dt.timedelta(minutes=n),
                subject=("widget", subject),
                researcher_id="res-alice",
                detail={"reason": f"decision {n}"},
            )


async def seal(db: Database) -> None:
    async with db.transaction() as session:
        await audit.seal_everything(session)


async def verify(db: Database, anchor: tuple[int, str] | None = None):
    async with db.transaction() as session:
        return await audit.verify(session, anchor=anchor)


async def test_sealed_entries_form_a_chain_and_each_batch_is_anchored_and_published(db):
    await record(db, 3)
    await seal(db)
    await record(db, 2, subject="w2")
    await seal(db)

    async with db.transaction() as session:
        rows = await audit.trail(session)
        anchors = (await session.execute(select(audit.anchors))).all()
        published = (
            await session.execute(
                select(messaging.outbox.c.type, messaging.outbox.c.payload).order_by(
                    messaging.outbox.c.id
                )
            )
        ).all()
        about_w2 = await audit.trail(session, audit.about("widget", "w2"))
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[1].prev_hash == rows[0].hash
    assert [(a.seq, a.entries) for a in anchors] == [(3, 3), (5, 2)]
    assert [p.type for p in published] == [WidgetAuditAnchored.type] * 2
    assert rows[4].hash in published[1].payload
    assert [r.seq for r in about_w2] == [4, 5]
    report = await verify(db)
    assert report.valid and report.entries_checked == 5 and report.newest_anchor_seq == 5


async def test_an_edited_entry_is_named(db):
    await record(db, 4)
    await seal(db)
    async with db.transaction() as session:
        await session.execute(
            update(audit.entries).where(audit.entries.c.seq == 3).values(outcome="rejected")
        )
    report = await verify(db)
    assert not report.valid
    assert report.first_broken_seq == 3
    assert "edited" in (report.problem or "")


async def test_deleting_the_newest_entries_is_caught_by_the_anchor(db):
    await record(db, 5)
    await seal(db)
    async with db.transaction() as session:
        await session.execute(delete(audit.entries).where(audit.entries.c.seq >= 4))
    report = await verify(db)
    assert not report.valid
    assert report.first_broken_seq == 4
    assert "missing" in (report.problem or "")


async def test_a_chain_rewritten_with_fresh_hashes_disagrees_with_its_anchors(db):
    await record(db, 3)
    await seal(db)
    await record(db, 3)
    await seal(db)
    # Rewrite entry 2 onwards consistently: every link and hash recomputed.
    async with db.transaction() as session:
        rows = await audit.trail(session)
        prev = rows[0].hash
        for row in rows[1:]:
            fields = audit_fields(row.seq, row)
            if row.seq == 2:
                fields["outcome"] = "rejected"
            new_hash = audit_hash(prev, fields)
            await session.execute(
                update(audit.entries)
                .where(audit.entries.c.id == row.id)
                .values(outcome=fields["outcome"], prev_hash=prev, hash=new_hash)
            )
            prev = new_hash
    report = await verify(db)
    assert not report.valid
    assert report.first_broken_seq == 3, "the first stored anchor after the rewrite"
    assert "anchored" in (report.problem or "")


async def test_an_anchor_from_the_stream_catches_a_rewrite_of_the_anchors_too(db):
    await record(db, 3)
    await seal(db)
    async with db.transaction() as session:
        head = (await audit.trail(session))[-1]
        # Everything in the database is cut back, anchors included.
        await session.execute(delete(audit.entries).where(audit.entries.c.seq == 3))
        await session.execute(delete(audit.anchors))
    assert (await verify(db)).valid, "nothing in the database shows the cut"
    report = await verify(db, anchor=(head.seq, head.hash))
    assert not report.valid and report.first_broken_seq == 3


async def test_unsealed_entries_wait_outside_the_chain(db):
    await record(db, 2)
    async with db.transaction() as session:
        unsealed = (
            await session.execute(
                select(func.count()).select_from(audit.entries).where(audit.entries.c.seq.is_(None))
            )
        ).scalar_one()
    assert unsealed == 2
    assert (await verify(db)).entries_checked == 0


def test_an_entry_about_no_subject_hashes_as_before_subjects_existed():
    """Chains written before the log recorded subjects still verify."""

    class Row:
        occurred_at = AT
        actor = "gateway"
        action = "access_decision"
        outcome = "deny"
        researcher_id = "res-alice"
        project_id = None
        detail: ClassVar[dict] = {"reasons": ["outside_uk"]}
        subject_type = None
        subject_id = None

    assert set(audit_fields(1, Row())) == {
        "seq",
        "occurred_at",
        "actor",
        "action",
        "outcome",
        "researcher_id",
        "project_id",
        "detail",
    }
