"""The revision that moves the per-request audit chain into the shared audit log keeps
every entry, in order, and its downgrade gives back the chain as it was (same hashes)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from srs_clearance import MIGRATIONS_DIR
from srs_clearance.models import audit_log, messaging
from srs_common.db import Database
from srs_common.migrations import alembic_config, in_own_thread, upgrade

BEFORE = "c4d1e8f27a90"
AT = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
LEGACY = [
    ("out_1", "res-a", "submitted", "automatic checks: pass", None),
    ("out_1", "chk-1", "downloaded", "t.csv", "fil_1"),
    ("out_2", "chk-2", "approved", "fine", None),
]


def _legacy_hash(prev, output_id, actor, action, detail, file_id, at) -> str:
    body = [prev, output_id, actor, action, detail, file_id, at.astimezone(dt.UTC).isoformat()]
    return hashlib.sha256(json.dumps(body, separators=(",", ":")).encode()).hexdigest()


async def _rows(engine, sql: str) -> list[tuple]:
    async with engine.connect() as conn:
        return [tuple(r) for r in (await conn.execute(text(sql))).all()]


async def _tables(engine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_the_old_trail_moves_into_the_audit_log_and_back(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/clearance.db"
    upgrade(MIGRATIONS_DIR, url, BEFORE)
    engine = create_async_engine(url)
    heads: dict[str, str] = {}
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO output_request (id, project_id, requester_id, kind, title,"
                " dataset_ids, status, created_at) VALUES ('out_1', 'prj_1', 'res-a',"
                " 'publication', 't', '[]', 'approved', :at)"
            ),
            {"at": AT},
        )
        for minute, (output_id, actor, action, detail, file_id) in enumerate(LEGACY):
            at = AT + dt.timedelta(minutes=minute)
            entry_hash = _legacy_hash(
                heads.get(output_id), output_id, actor, action, detail, file_id, at
            )
            await conn.execute(
                text(
                    "INSERT INTO audit_entry (output_id, actor, action, detail, file_id, at,"
                    " prev_hash, entry_hash) VALUES (:o, :a, :ac, :d, :f, :t, :p, :e)"
                ),
                dict(
                    o=output_id,
                    a=actor,
                    ac=action,
                    d=detail,
                    f=file_id,
                    t=at,
                    p=heads.get(output_id),
                    e=entry_hash,
                ),
            )
            heads[output_id] = entry_hash
    legacy_sql = (
        "SELECT output_id, actor, action, detail, file_id, prev_hash, entry_hash"
        " FROM audit_entry ORDER BY id"
    )
    before = await _rows(engine, legacy_sql)

    upgrade(MIGRATIONS_DIR, url)
    moved = await _rows(
        engine,
        "SELECT actor, action, outcome, subject_type, subject_id, researcher_id, project_id,"
        " detail FROM audit_entry ORDER BY id",
    )
    assert [(m[0], m[1], m[2], m[3], m[4]) for m in moved] == [
        ("res-a", "output.submitted", "submitted", "output", "out_1"),
        ("chk-1", "output.downloaded", "downloaded", "output", "out_1"),
        ("chk-2", "output.approved", "approved", "output", "out_2"),
    ]
    # Who the request concerns comes from the request (out_2 is no longer there).
    assert [(m[5], m[6]) for m in moved] == [("res-a", "prj_1"), ("res-a", "prj_1"), (None, None)]
    assert json.loads(moved[1][7]) == {"text": "t.csv", "file_id": "fil_1"}
    assert "output_audit_legacy" not in await _tables(engine)
    # The sealer chains the moved entries like any other.
    db = Database(url, service="clearance", messaging=messaging, null_pool=True)
    async with db.transaction() as session:
        assert await audit_log.seal(session) == 3
    await db.dispose()

    config = alembic_config(MIGRATIONS_DIR, url)
    in_own_thread(lambda: command.downgrade(config, BEFORE))
    assert await _rows(engine, legacy_sql) == before
    assert "audit_anchor" not in await _tables(engine)
    await engine.dispose()
