"""Read models from events: idempotent, order-tolerant; and one run over the real bus."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

from sqlalchemy import select

from srs_clearance.models import DatasetView, ProjectMemberView, ProjectView, messaging
from srs_common.contracts import access, projects
from srs_common.events.bus import ensure_topics, make_producer, stop_quietly
from srs_common.events.envelope import encode_data, to_headers
from srs_common.testing import event_from

from ..conftest import NOW, ORG, PROJECT


async def _project(client, project_id=PROJECT):
    async with client.runtime.db.transaction() as session:
        return await session.get(ProjectView, project_id)


async def test_redelivered_events_change_nothing(world):
    event = event_from(
        projects.ProjectMemberAdded(
            project_id=PROJECT,
            organisation_id=ORG,
            researcher_id="res-new",
            role="researcher",
            occurred_at=NOW,
        ),
        subject=PROJECT,
    )
    assert await world.deliver(world.client, event=event) is True
    assert await world.deliver(world.client, event=event) is False
    async with world.client.runtime.db.transaction() as session:
        members = (
            (
                await session.execute(
                    select(ProjectMemberView).where(ProjectMemberView.researcher_id == "res-new")
                )
            )
            .scalars()
            .all()
        )
    assert [(m.role, m.active) for m in members] == [("researcher", True)]


async def test_space_provisioned_before_approval_never_goes_back_to_approved(world):
    await world.deliver(
        world.client,
        access.ProjectSpaceProvisioned(
            project_id="prj_new",
            space_id="spc_1",
            dataset_ids=["ds-csew-2019"],
            accounts_enabled=["res-x"],
            provisioned_at=NOW,
        ),
        subject="prj_new",
    )
    await world.deliver(
        world.client,
        projects.ProjectApproved(
            project_id="prj_new",
            title="t",
            organisation_id=ORG,
            legal_gateway="DEA",
            dataset_ids=["ds-csew-2019"],
            members=[],
            expected_end_date=dt.date(2027, 1, 1),
            priority=True,
            approved_at=NOW,
        ),
        subject="prj_new",
    )
    project = await _project(world.client, "prj_new")
    assert (project.status, project.priority, project.space_id) == ("active", True, "spc_1")


async def test_reactivated_member_may_draft_again_and_completion_ends_drafting(world):
    async def create():
        return await world.client.post(
            "/v1/outputs",
            headers=world.as_("bob"),
            json={"project_id": PROJECT, "kind": "pre_publication", "title": "Tables"},
        )

    for contract in (projects.ProjectMemberDeactivated, projects.ProjectMemberReactivated):
        await world.deliver(
            world.client,
            contract(
                project_id=PROJECT,
                organisation_id=ORG,
                researcher_id="res-bob",
                role="researcher",
                occurred_at=NOW,
            ),
            subject=PROJECT,
        )
    assert (await create()).status_code == 201
    await world.deliver(
        world.client,
        projects.ProjectCompleted(
            project_id=PROJECT,
            organisation_id=ORG,
            lead_researcher_id="res-alice",
            member_ids=["res-alice"],
            occurred_at=NOW,
        ),
        subject=PROJECT,
    )
    completed = await create()
    assert completed.status_code == 409 and completed.json()["current_state"] == "completed"
    await world.deliver(
        world.client,
        projects.ProjectResumed(project_id=PROJECT, organisation_id=ORG, occurred_at=NOW),
        subject=PROJECT,
    )
    assert (await _project(world.client)).status == "completed"


async def test_catalogue_updates_the_threshold(world):
    for threshold in (10, 5):
        await world.deliver(
            world.client,
            access.DatasetCatalogued(
                dataset_id="ds-csew-2019",
                title="CSEW",
                owner="ONS",
                access_level="home",
                disclosure_threshold=threshold,
                occurred_at=NOW,
            ),
            subject="ds-csew-2019",
        )
    async with world.client.runtime.db.transaction() as session:
        assert (await session.get(DatasetView, "ds-csew-2019")).disclosure_threshold == 5


async def _eventually(check, timeout=20.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_over_the_real_bus_read_model_jobs_and_relay(
    service_client, broker, tokens, tmp_path
):
    """Events from srs.projects build the read model; the periodic job flags an overdue
    request and the relay publishes it."""
    async with service_client(
        "clearance",
        bootstrap=broker.bootstrap,
        run_relay=True,
        run_consumers=True,
        outputs_dir=tmp_path,
        job_interval_seconds=0.05,
    ) as client:
        platform = client.runtime.settings.platform
        await ensure_topics(platform, ["srs.projects"])
        producer = make_producer(platform)
        await producer.start()
        try:
            project_id = f"prj_{uuid.uuid4().hex[:8]}"
            approved = projects.ProjectApproved(
                project_id=project_id,
                title="t",
                organisation_id=ORG,
                legal_gateway="DEA",
                dataset_ids=["ds-csew-2019"],
                members=[projects.ProjectMember(researcher_id="res-alice", role="lead")],
                expected_end_date=dt.date(2027, 1, 1),
                approved_at=NOW,
            )
            activated = projects.ProjectActivated(
                project_id=project_id,
                organisation_id=ORG,
                dataset_ids=["ds-csew-2019"],
                occurred_at=NOW,
            )
            for payload in (approved, activated):
                await producer.send_and_wait(
                    "srs.projects",
                    encode_data(payload.model_dump(mode="json")),
                    key=project_id.encode(),
                    headers=to_headers(
                        event_id=str(uuid.uuid4()),
                        source="/srs/projects",
                        event_type=payload.type,
                        subject=project_id,
                        time=NOW,
                        correlation_id=None,
                    ),
                )
        finally:
            await stop_quietly(producer)

        async def active():
            project = await _project(client, project_id)
            return project is not None and project.status == "active"

        await _eventually(active)
        alice = tokens.headers("researcher", researcher_id="res-alice")
        client.app.state.clock = lambda: NOW - dt.timedelta(days=30)  # submitted long ago
        created = await client.post(
            "/v1/outputs",
            headers=alice,
            json={"project_id": project_id, "kind": "pre_publication", "title": "Tables"},
        )
        output_id = created.json()["id"]
        group = await client.post(
            f"/v1/outputs/{output_id}/groups",
            headers=alice,
            json={"name": "T1", "context": "victims by region", "controls": "none needed"},
        )
        await client.post(
            f"/v1/outputs/{output_id}/groups/{group.json()['id']}/files",
            headers=alice,
            files={"file": ("t.csv", b"region,count\nN,20\n")},
        )
        submitted = await client.post(f"/v1/outputs/{output_id}/submit", headers=alice)
        assert submitted.status_code == 200, submitted.text

        async def overdue_sent():
            async with client.runtime.db.engine.connect() as conn:
                rows = (
                    await conn.execute(
                        select(messaging.outbox).where(
                            messaging.outbox.c.type == "srs.output.overdue.v1"
                        )
                    )
                ).all()
            return len(rows) == 1 and rows[0].sent_at is not None

        await _eventually(overdue_sent)


async def test_a_run_of_project_events_applied_together_leaves_what_one_by_one_leaves(world):
    """A fetched run (approvals, activations, provisioned spaces, one approval twice, a
    space before its approval) gives the rows that applying each event in turn gives."""
    from srs_common.events.consumer import ConsumerRunner
    from srs_common.testing import consumer_record

    client = world.client

    def events(p: str) -> list:
        def approved(name: str, members: list[tuple[str, str]]) -> projects.ProjectApproved:
            return projects.ProjectApproved(
                project_id=f"{p}-{name}",
                title=f"Project {name}",
                organisation_id=ORG,
                legal_gateway="DEA",
                dataset_ids=["ds-csew-2019"],
                members=[projects.ProjectMember(researcher_id=r, role=role) for r, role in members],
                expected_end_date=dt.date(2028, 1, 1),
                priority=name == "b",
                approved_at=NOW,
            )

        space = access.ProjectSpaceProvisioned(
            project_id=f"{p}-c",
            space_id="spc-c",
            dataset_ids=["ds-x"],
            accounts_enabled=[],
            provisioned_at=NOW,
        )
        return [
            space,  # before its approval
            approved("a", [("res-1", "lead"), ("res-2", "researcher")]),
            approved("b", [("res-3", "lead")]),
            approved("a", [("res-1", "lead"), ("res-2", "peer_reviewer_outputs")]),
            approved("c", [("res-4", "lead")]),
            projects.ProjectActivated(
                project_id=f"{p}-a", organisation_id=ORG, dataset_ids=["ds-y"], occurred_at=NOW
            ),
        ]

    for payload in events("one"):
        assert await world.deliver(client, payload, subject=payload.project_id)
    runtime = client.runtime
    runner = ConsumerRunner(runtime.db, runtime.settings, client.app.state.spec.handlers, [])
    await runner.records.process_all(
        [
            consumer_record(e, subject=e.project_id, offset=n, source="/srs/projects")
            for n, e in enumerate(events("run"))
        ]
    )

    async def state(p: str) -> list:
        async with runtime.db.engine.connect() as conn:
            views = await conn.execute(select(ProjectView).where(ProjectView.id.like(f"{p}-%")))
            members = await conn.execute(
                select(ProjectMemberView).where(ProjectMemberView.project_id.like(f"{p}-%"))
            )
            rows = [list(r) for r in [*views, *members]]
        return sorted((str(rows).replace(f"{p}-", "P-") for rows in rows), key=str)

    assert await state("run") == await state("one")
    assert len(await state("one")) == 3 + 4
