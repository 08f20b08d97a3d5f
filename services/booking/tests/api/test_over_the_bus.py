"""Over the real broker: a suspension published on srs.accreditation reaches booking's
consumer, and the cancellation it causes leaves through the outbox relay on srs.booking."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

from aiokafka import AIOKafkaConsumer

from srs_booking.api import current_time
from srs_booking.seed import reference_sites
from srs_common.contracts.accreditation import AccreditationSuspended
from srs_common.events.bus import ensure_topics, make_producer, stop_quietly
from srs_common.events.envelope import decode, encode_data, to_headers

NOW = dt.datetime(2027, 10, 25, 10, 0, tzinfo=dt.UTC)


async def test_suspension_on_the_bus_cancels_and_the_cancellation_is_published(
    service_client, broker, eligible, book, tokens
):
    async with service_client(
        "booking", bootstrap=broker.bootstrap, run_relay=True, run_consumers=True
    ) as client:
        async with client.runtime.db.transaction() as session:
            session.add_all(reference_sites())
        client.app.dependency_overrides[current_time] = lambda: NOW
        alice = await eligible(client, "res-alice")
        booking_id = (
            await book(client, alice, "2027-10-27T08:00:00Z", "2027-10-27T10:00:00Z")
        ).json()["id"]

        platform = client.runtime.settings.platform
        await ensure_topics(platform, ["srs.accreditation", "srs.booking"])
        # No group: every partition at once, without waiting for a group join.
        watcher = AIOKafkaConsumer(
            "srs.booking",
            bootstrap_servers=broker.bootstrap,
            group_id=None,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            fetch_max_wait_ms=50,
        )
        producer = make_producer(platform)
        await watcher.start()
        await producer.start()
        try:
            suspended = AccreditationSuspended(
                accreditation_id="acc-res-alice",
                researcher_id="res-alice",
                organisation_id="org-ntu",
                kind="full",
                status="suspended",
                valid_from=dt.date(2026, 1, 1),
                valid_until=dt.date(2029, 1, 1),
                reason="breach",
                occurred_at=NOW,
            )
            await producer.send_and_wait(
                "srs.accreditation",
                key=b"res-alice",
                value=encode_data(suspended.model_dump(mode="json")),
                headers=to_headers(
                    event_id=str(uuid.uuid4()),
                    source="/srs/accreditation",
                    event_type=suspended.type,
                    subject="res-alice",
                    time=NOW,
                    correlation_id=None,
                ),
            )
            seen: dict[str, dict] = {}
            async with asyncio.timeout(40):
                while "srs.booking.cancelled.v1" not in seen:
                    batch = await watcher.getmany(timeout_ms=500)
                    for records in batch.values():
                        for record in records:
                            event = decode(
                                value=record.value, headers=record.headers, key=record.key
                            )
                            seen[event.type] = event.data
        finally:
            await stop_quietly(producer)
            await stop_quietly(watcher)

        assert seen["srs.booking.confirmed.v1"]["booking_id"] == booking_id
        assert seen["srs.booking.cancelled.v1"]["booking_id"] == booking_id
        assert seen["srs.booking.cancelled.v1"]["reason"] == "accreditation suspended: breach"
        read = await client.get(f"/v1/bookings/{booking_id}", headers=alice)
        assert read.json()["status"] == "cancelled"
