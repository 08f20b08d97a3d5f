"""Lock order between member changes and accreditation events (PostgreSQL).

Found by the reliability workload: a member removal locks the project row, then the
member row; the accreditation handler locked the member and project rows through one
join, in plan order (member first), so the two deadlocked and PostgreSQL aborted one.
The handler now locks the projects first, in id order, as the API does.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import delete, select, text

from srs_common.contracts.accreditation import AccreditationSuspended
from srs_projects.models import Project, ProjectMember


async def _lock_waiters(db) -> int:
    async with db.engine.connect() as conn:
        return int(
            (
                await conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock'"
                    )
                )
            ).scalar_one()
        )


async def test_a_suspension_waits_behind_a_member_removal_instead_of_deadlocking(projects, client):
    db = client.runtime.db
    if db.dialect != "postgresql":
        pytest.skip("row locks and deadlocks exist on PostgreSQL only")
    project_id = await projects.active()
    await projects.accredit("res-bob")
    await projects.join(project_id, "res-bob")

    async with db.engine.connect() as removal:
        # The removal's order: the project row, then (below) the member row.
        await removal.execute(select(Project.id).where(Project.id == project_id).with_for_update())
        suspension = asyncio.create_task(
            projects.accredit("res-bob", contract=AccreditationSuspended, status="suspended")
        )
        for _ in range(200):
            if await _lock_waiters(db) or suspension.done():
                break
            await asyncio.sleep(0.02)
        await removal.execute(
            delete(ProjectMember).where(
                ProjectMember.project_id == project_id, ProjectMember.researcher_id == "res-bob"
            )
        )
        await removal.commit()

    assert await suspension is True  # applied, not aborted as a deadlock victim
    members = [m["researcher_id"] for m in (await projects.get(project_id))["members"]]
    assert members == ["res-alice"]
