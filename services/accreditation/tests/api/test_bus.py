"""Over the real broker: an overdue destruction published by clearance suspends the
researcher, and the suspension leaves through the outbox relay."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

from sqlalchemy import select

from srs_accreditation.models import messaging
from srs_common.contracts.clearance import OutputDestructionOverdue
from srs_common.events.bus import ensure_topics, make_producer, stop_quietly
from srs_common.events.envelope import encode_data, to_headers


async def eventually(check, timeout: float = 30.0) -> None:
    async def poll() -> None:
        while not await check():
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), timeout)


async def test_destruction_overdue_over_the_bus_suspends_and_publishes(
    service_client, broker, tokens, flow_factory
):
    async with service_client(
        "accreditation", bootstrap=broker.bootstrap, run_relay=True, run_consumers=True
    ) as client:
        flow = flow_factory(client)
        accreditation = await flow.accredit("res-alice", "full")
        platform = client.runtime.settings.platform
        await ensure_topics(platform, ["srs.clearance"])
        payload = OutputDestructionOverdue(
            output_id="out_9",
            project_id="prj_1",
            requester_id="res-alice",
            kind="pre_publication",
            occurred_at=dt.datetime.now(dt.UTC),
            deadline=dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
        )
        producer = make_producer(platform)
        await producer.start()
        try:
            await producer.send_and_wait(
                "srs.clearance",
                key=b"out_9",
                value=encode_data(payload.model_dump(mode="json")),
                headers=to_headers(
                    event_id=str(uuid.uuid4()),
                    source="/srs/clearance",
                    event_type=payload.type,
                    subject="out_9",
                    time=dt.datetime.now(dt.UTC),
                    correlation_id=None,
                ),
            )
        finally:
            await stop_quietly(producer)

        async def suspended() -> bool:
            response = await client.get(
                f"/v1/accreditations/{accreditation['id']}", headers=flow.support
            )
            return response.json()["status"] == "suspended"

        await eventually(suspended)

        async def suspension_sent() -> bool:
            async with client.runtime.db.engine.connect() as conn:
                rows = (
                    await conn.execute(
                        select(messaging.outbox).where(
                            messaging.outbox.c.type == "srs.accreditation.suspended.v1"
                        )
                    )
                ).all()
            return len(rows) == 1 and rows[0].sent_at is not None

        await eventually(suspension_sent)
