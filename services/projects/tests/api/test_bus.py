"""Over the real broker: accreditation and provisioning events reach the projects
consumer, and the relay publishes what projects writes to its outbox."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

from sqlalchemy import select

from srs_common.contracts.access import ProjectSpaceProvisioned
from srs_common.contracts.accreditation import AccreditationGranted
from srs_common.events.bus import make_producer, stop_quietly
from srs_common.events.envelope import encode_data, to_headers
from srs_projects.models import messaging

TODAY = dt.datetime.now(dt.UTC).date()


async def eventually(check, timeout: float = 60.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value:
            return value
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_the_journey_to_active_over_the_bus(service_client, broker, tokens, application):
    # A researcher of this test only: the session's broker also carries other suites'
    # accreditation events (e.g. suspensions of the demo researchers).
    lead = f"res-bus-{uuid.uuid4().hex[:8]}"
    async with service_client(
        "projects", bootstrap=broker.bootstrap, run_relay=True, run_consumers=True
    ) as client:
        producer = make_producer(client.runtime.settings.platform)
        await producer.start()

        async def send(payload, subject: str, source: str) -> None:
            await producer.send_and_wait(
                payload.topic,
                key=subject.encode(),
                value=encode_data(payload.model_dump(mode="json")),
                headers=to_headers(
                    event_id=str(uuid.uuid4()),
                    source=source,
                    event_type=payload.type,
                    subject=subject,
                    time=dt.datetime.now(dt.UTC),
                    correlation_id=None,
                ),
            )

        try:
            await send(
                AccreditationGranted(
                    accreditation_id=f"acc-{lead}",
                    researcher_id=lead,
                    organisation_id="org-ntu",
                    kind="full",
                    status="current",
                    valid_from=TODAY,
                    valid_until=TODAY + dt.timedelta(days=1000),
                    occurred_at=dt.datetime.now(dt.UTC),
                ),
                lead,
                "/srs/accreditation",
            )
            alice = tokens.headers("researcher", researcher_id=lead)
            panel = tokens.headers("panel")

            async def drafted():
                response = await client.post("/v1/projects", json=application, headers=alice)
                return response.json()["id"] if response.status_code == 201 else None

            project_id = await eventually(drafted)
            for path, headers, body in (
                ("submit", alice, None),
                ("review", panel, None),
                ("approve", panel, {"reason": "clear benefit"}),
            ):
                response = await client.post(
                    f"/v1/projects/{project_id}/{path}", json=body, headers=headers
                )
                assert response.status_code == 200, response.text

            await send(
                ProjectSpaceProvisioned(
                    project_id=project_id,
                    space_id="spc-1",
                    dataset_ids=["ds-csew-2019"],
                    accounts_enabled=[lead],
                    provisioned_at=dt.datetime.now(dt.UTC),
                ),
                project_id,
                "/srs/access",
            )

            async def active():
                body = (await client.get(f"/v1/projects/{project_id}", headers=alice)).json()
                return body["status"] == "active"

            await eventually(active)

            async def all_relayed():
                async with client.runtime.db.engine.connect() as conn:
                    rows = (
                        await conn.execute(
                            select(messaging.outbox.c.type, messaging.outbox.c.sent_at)
                        )
                    ).all()
                anchored = any(r.type == "srs.projects.audit_anchored.v1" for r in rows)
                return rows if anchored and all(r.sent_at for r in rows) else None

            rows = await eventually(all_relayed)
            anchors = [r for r in rows if r.type == "srs.projects.audit_anchored.v1"]
            assert anchors, "the review and the approval were audited and anchored"
            assert sorted(r.type for r in rows if r not in anchors) == sorted(
                ["srs.project.submitted.v1", "srs.project.approved.v1", "srs.project.activated.v1"]
            )
        finally:
            await stop_quietly(producer)
