"""The notifier as deployed: its own consumer group on the real broker, the sender job
running beside it; an event on the bus becomes one e-mail, even if published twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

from aiokafka import AIOKafkaProducer

from srs_common.contracts import accreditation, booking
from srs_common.contracts.base import Contract
from srs_common.events.envelope import encode_data, to_headers


async def publish(
    bootstrap: str, payload: Contract, *, subject: str, event_id: str | None = None
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        headers = to_headers(
            event_id=event_id or str(uuid.uuid4()),
            source="/srs/test",
            event_type=payload.type,
            subject=subject,
            time=dt.datetime.now(dt.UTC),
            correlation_id="corr-notify",
        )
        await producer.send_and_wait(
            payload.topic,
            value=encode_data(payload.model_dump(mode="json")),
            key=subject.encode(),
            headers=headers,
        )
    finally:
        await producer.stop()


async def test_an_event_on_the_bus_is_mailed_once_by_the_running_service(
    service_client, broker, smtp
) -> None:
    researcher_id = f"res-{uuid.uuid4().hex[:8]}"
    address = f"{researcher_id}@bus.example"
    async with service_client(
        "notify",
        bootstrap=broker.bootstrap,
        run_consumers=True,
        smtp_port=smtp.port,
        send_poll_seconds=0.2,
    ) as client:
        assert client.runtime.consumer.group_id == "srs-notify"
        await publish(
            broker.bootstrap,
            accreditation.ResearcherRegistered(
                researcher_id=researcher_id,
                name="Dana Bus",
                email=address,
                organisation_id="org-ntu",
                occurred_at=dt.datetime.now(dt.UTC),
            ),
            subject=researcher_id,
        )
        confirmed = booking.BookingConfirmed.model_validate(
            {
                **booking.BookingConfirmed.example,
                "booking_id": f"bkg_{uuid.uuid4().hex[:8]}",
                "researcher_id": researcher_id,
            }
        )
        event_id = str(uuid.uuid4())
        for _ in range(2):  # published twice: the same event id
            await publish(
                broker.bootstrap, confirmed, subject=confirmed.booking_id, event_id=event_id
            )
        # A later event on the same key: once its e-mail is out, the duplicate before it
        # has certainly been consumed too.
        cancelled = booking.BookingCancelled.model_validate(
            {**confirmed.model_dump(mode="json"), "reason": "site closure", "cancelled_by": "x"}
        )
        await publish(broker.bootstrap, cancelled, subject=confirmed.booking_id)
        deadline = asyncio.get_running_loop().time() + 45
        while len(smtp.to(address)) < 2 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.3)
    subjects = sorted(m.message["Subject"].split(":")[0] for m in smtp.to(address))
    assert subjects == ["Booking cancelled", "Booking confirmed"]
    assert all(confirmed.booking_id in m.text for m in smtp.to(address))
