"""The access decision's facts statement as PostgreSQL runs it for a busy researcher.

asyncpg prepares the statement, and after a few runs PostgreSQL plans it once for any
values (a generic plan). For a researcher on thousands of projects, that plan must still
find the one membership asked about by its index, not read every membership of theirs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from typing import Any

import pytest
from sqlalchemy import event, text

from srs_access.decisions import FACTS
from srs_common.db import create_engine

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
    reason="PostgreSQL's generic plans: PostgreSQL only",
)

BUSY = "res-busy"


def literal(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return f"'{value.isoformat()}'::timestamptz"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


async def test_a_busy_researchers_membership_is_read_as_one_row_by_the_generic_plan(
    database_url,
):
    engine = create_engine(database_url("access"), null_pool=True)
    try:
        async with engine.begin() as conn:
            # 100,000 researchers on a project each, four or five to a project, and one
            # researcher on 3,000 (the data of the bench's growth row at 100x).
            await conn.execute(
                text(
                    "INSERT INTO project_member_view "
                    "(project_id, researcher_id, role, status, changed_at) "
                    "SELECT 'prj_' || md5((g % 23000)::text), "
                    "'res-plan-' || lpad(g::text, 6, '0'), 'member', 'active', "
                    "now() FROM generate_series(1, 100000) g "
                    "UNION ALL SELECT 'prj_' || md5('busy' || g), :busy, 'lead', 'active', now() "
                    "FROM generate_series(1, 3000) g"
                ),
                {"busy": BUSY},
            )
        async with engine.connect() as conn:
            await conn.execute(text("ANALYZE project_member_view"))
            sent: dict[str, Any] = {}

            @event.listens_for(conn.sync_connection, "before_cursor_execute")
            def keep(_conn, _cursor, statement, parameters, _context, _many) -> None:
                sent.setdefault("sql", statement)
                sent.setdefault("args", parameters)

            params = {
                "researcher_id": BUSY,
                "project_id": "prj_" + hashlib.md5(b"busy7").hexdigest(),
                "site_id": "titchfield",
                "now": dt.datetime.now(dt.UTC),
            }
            row = (await conn.execute(FACTS, params)).one()
            assert (row.member_status, row.member_role) == ("active", "lead")
            raw = (await conn.get_raw_connection()).driver_connection
            await raw.execute(f"PREPARE facts AS {sent['sql']}")
            await raw.execute("SET plan_cache_mode = force_generic_plan")
            args = ", ".join(literal(v) for v in sent["args"])
            plan = [
                r[0] for r in await raw.fetch(f"EXPLAIN (ANALYZE, COSTS OFF) EXECUTE facts({args})")
            ]
            await raw.execute("DEALLOCATE facts; RESET plan_cache_mode")
    finally:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "DELETE FROM project_member_view WHERE researcher_id LIKE 'res-plan-%' "
                    "OR researcher_id = :busy"
                ),
                {"busy": BUSY},
            )
        await engine.dispose()

    member_scans = [i for i, line in enumerate(plan) if "on project_member_view" in line]
    assert len(member_scans) == 2, "\n".join(plan)  # the member's status and role
    for i in member_scans:
        assert "rows=1 " in plan[i], "\n".join(plan)
        details = []  # the scan's own lines, up to the next plan node
        for line in plan[i + 1 :]:
            if "->" in line or "InitPlan" in line:
                break
            details.append(line)
        assert not any("Rows Removed by Filter" in line for line in details), "\n".join(plan)
