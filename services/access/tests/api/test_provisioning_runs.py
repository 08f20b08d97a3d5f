"""A fetched run of approvals and status events, applied together by the set-based
handlers, leaves exactly what applying them one by one leaves: the same read models,
spaces, accounts and published events, project by project."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select

from srs_access.models import Account, ProjectDataset, ProjectMemberView, ProjectSpace, ProjectView
from srs_access.models import messaging as tables
from srs_common.contracts import projects as prj
from srs_common.events.consumer import ConsumerRunner
from srs_common.testing import consumer_record

from ..conftest import now


def as_record(payload: Any, subject: str, offset: int, event_id: str | None = None) -> Any:
    return consumer_record(
        payload, subject=subject, offset=offset, source="/srs/projects", event_id=event_id
    )


def scenario(world, p: str) -> list[tuple[Any, str]]:
    """The events of one scenario, every project id prefixed with ``p``."""
    at = now() - dt.timedelta(minutes=5)
    later = at + dt.timedelta(minutes=1)
    member_first = prj.ProjectMemberAdded(
        project_id=f"{p}-c",
        organisation_id="org-ntu",
        researcher_id="res-bob",
        role="researcher",
        occurred_at=later,
    )
    approvals = {
        "a": [
            ("res-alice", "lead"),
            ("res-bob", "researcher"),  # not accredited: no account
            ("res-rev", "peer_reviewer_outputs"),  # outputs only: no account
            ("res-alice", "researcher"),  # named twice: the last role counts
        ],
        "b": [("res-carol", "lead"), ("res-alice", "researcher")],
        "c": [("res-alice", "lead")],
        "d": [("res-carol", "lead")],
    }
    events: list[tuple[Any, str]] = [(member_first, f"{p}-c")]
    for name, members in approvals.items():
        datasets = ["ds-csew-2019", "ds-csew-2019"] if name == "b" else None
        events.append((world.approved(f"{p}-{name}", members, datasets, at), f"{p}-{name}"))
    events.append((world.approved(f"{p}-d", approvals["d"], None, at), f"{p}-d"))  # twice
    for name in ("a", "b", "d"):
        events.append(
            (
                prj.ProjectActivated(
                    project_id=f"{p}-{name}",
                    organisation_id="org-ntu",
                    dataset_ids=["ds-csew-2019"],
                    occurred_at=later,
                ),
                f"{p}-{name}",
            )
        )
    return events


async def state(db, p: str) -> dict[str, Any]:
    """Everything the scenario ``p`` left, with its prefix and generated values removed."""

    def plain(value: Any) -> Any:
        return json.loads(json.dumps(value, default=str).replace(f"{p}-", "P-"))

    async with db.engine.connect() as conn:

        async def rows(model: Any, *columns: str) -> list[Any]:
            table = model.__table__
            result = await conn.execute(
                select(*(table.c[c] for c in columns)).where(table.c.project_id.like(f"{p}-%"))
            )
            return sorted(plain([list(r) for r in result]), key=json.dumps)

        outbox = (
            await conn.execute(
                select(tables.outbox.c.key, tables.outbox.c.type, tables.outbox.c.payload)
                .where(tables.outbox.c.key.like(f"{p}-%"))
                .order_by(tables.outbox.c.id)
            )
        ).all()
        events: dict[str, list[Any]] = {}
        for key, event_type, payload in outbox:
            body = json.loads(payload)
            for generated in ("space_id", "occurred_at", "provisioned_at"):
                body.pop(generated, None)
            events.setdefault(key.replace(f"{p}-", "P-"), []).append([event_type, plain(body)])
        return {
            "views": await rows(ProjectView, "project_id", "status", "dataset_ids", "title"),
            "members": await rows(
                ProjectMemberView, "project_id", "researcher_id", "role", "status"
            ),
            "datasets": await rows(ProjectDataset, "project_id", "dataset_id"),
            "spaces": await rows(ProjectSpace, "project_id", "status", "dataset_ids"),
            "accounts": await rows(
                Account, "project_id", "researcher_id", "role", "enabled", "disabled_reason"
            ),
            "events": events,
        }


async def test_a_run_applied_together_leaves_what_one_by_one_leaves(client, world, monkeypatch):
    from srs_access import spaces

    together_ids: list[str] = []
    provision_new = spaces._provision_new

    async def recorded(session, approvals):
        together_ids.extend(a.project_id for _, a in approvals)
        await provision_new(session, approvals)

    monkeypatch.setattr(spaces, "_provision_new", recorded)
    for researcher in ("res-alice", "res-carol", "res-rev"):
        await world.accredit(researcher)
    runtime = client.runtime
    runner = ConsumerRunner(runtime.db, runtime.settings, client.app.state.spec.handlers, [])

    for payload, subject in scenario(world, "one"):
        await world.send(payload, subject)
    events = scenario(world, "run")
    run = [as_record(e, s, offset) for offset, (e, s) in enumerate(events)]
    # The approval of run-a delivered again within the same fetch: applied once.
    run[1] = as_record(*events[1], offset=1, event_id="again")
    redelivered = as_record(*events[1], offset=99, event_id="again")
    await runner.records.process_all([*run[:3], redelivered, *run[3:], redelivered])

    assert together_ids == ["run-a", "run-b"]  # c was known before, d came twice
    one, together = await state(runtime.db, "one"), await state(runtime.db, "run")
    assert together == one
    # And the scenario is the one intended: two projects provisioned fresh and together
    # (one of them twice in the run), one known before its approval, all activated.
    assert one["accounts"] == [
        ["P-a", "res-alice", "researcher", True, None],
        ["P-b", "res-alice", "researcher", True, None],
        ["P-b", "res-carol", "lead", True, None],
        ["P-c", "res-alice", "lead", True, None],
        ["P-d", "res-carol", "lead", True, None],
    ]
    assert [s[1] for s in one["spaces"]] == ["active"] * 4
    assert [v[1] for v in one["views"]] == ["active", "active", "approved", "active"]
    assert one["datasets"][:2] == [["P-a", "ds-csew-2019"], ["P-b", "ds-csew-2019"]]
    assert [t for t, _ in one["events"]["P-a"]] == [
        "srs.account.enabled.v1",
        "srs.project_space.provisioned.v1",
    ]
