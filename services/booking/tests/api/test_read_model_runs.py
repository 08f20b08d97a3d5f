"""A fetched run of project events applied together (the set-based handlers) leaves the
read models that applying each event in turn leaves."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from srs_booking.models import KnownMember, KnownProject
from srs_common.contracts import access, projects
from srs_common.events.consumer import ConsumerRunner
from srs_common.testing import consumer_record

AT = dt.datetime(2027, 1, 4, 9, tzinfo=dt.UTC)


def events(p: str) -> list:
    def approved(name: str, members: list[str], at: dt.datetime) -> projects.ProjectApproved:
        return projects.ProjectApproved(
            project_id=f"{p}-{name}",
            title=f"Project {name}",
            organisation_id="org-ntu",
            legal_gateway="DEA",
            dataset_ids=[f"ds-{name}"],
            members=[projects.ProjectMember(researcher_id=r, role="researcher") for r in members],
            expected_end_date=dt.date(2028, 1, 1),
            approved_at=at,
        )

    return [
        access.ProjectSpaceProvisioned(  # before its approval: created, then kept active
            project_id=f"{p}-c",
            space_id="spc-c",
            dataset_ids=["ds-c2"],
            accounts_enabled=[],
            provisioned_at=AT + dt.timedelta(minutes=5),
        ),
        approved("a", ["res-1", "res-2"], AT),
        approved("b", ["res-3"], AT),
        approved("a", ["res-1", "res-4"], AT - dt.timedelta(minutes=1)),  # older: loses
        approved("c", ["res-5"], AT),
        projects.ProjectActivated(
            project_id=f"{p}-a",
            organisation_id="org-ntu",
            dataset_ids=["ds-a2"],
            occurred_at=AT + dt.timedelta(minutes=2),
        ),
    ]


async def state(client, p: str) -> list[str]:
    async with client.runtime.db.engine.connect() as conn:
        views = await conn.execute(select(KnownProject).where(KnownProject.id.like(f"{p}-%")))
        members = await conn.execute(
            select(KnownMember).where(KnownMember.project_id.like(f"{p}-%"))
        )
        rows = [list(r) for r in [*views, *members]]
    return sorted(str(row).replace(f"{p}-", "P-") for row in rows)


async def test_a_run_applied_together_leaves_what_one_by_one_leaves(client, deliver):
    for payload in events("one"):
        assert await deliver(client, payload, subject=payload.project_id)
    runtime = client.runtime
    runner = ConsumerRunner(runtime.db, runtime.settings, client.app.state.spec.handlers, [])
    await runner.records.process_all(
        [
            consumer_record(e, subject=e.project_id, offset=n, source="/srs/projects")
            for n, e in enumerate(events("run"))
        ]
    )
    assert await state(client, "run") == await state(client, "one")
    one = await state(client, "one")
    assert len(one) == 3 + 5  # three projects; five members (res-4 had no newer row)
    assert any("'P-c'" in row and "'active'" in row for row in one), one
