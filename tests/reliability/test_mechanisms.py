"""Minimal reproductions of weaknesses the fault schedules exposed in the shared messaging
mechanisms (srs_common), kept as regression tests now that they are fixed there."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from srs_common.db import Database, utcnow
from srs_common.events.bus import ensure_topics
from srs_common.events.consumer import ConsumerRunner
from srs_common.events.envelope import to_headers
from srs_projects.models import messaging

from .faultstack import databases_away

pytestmark = pytest.mark.reliability

PROBE = "srs.reliability.probe.v1"


async def _records(bootstrap: str, topic: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, fetch_max_wait_ms=50)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        if not partitions:
            return 0
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        batches = await consumer.getmany(timeout_ms=2000)
        return sum(len(records) for records in batches.values())
    finally:
        await asyncio.wait_for(consumer.stop(), 10)


async def test_a_short_database_outage_dead_letters_nothing(broker, service_settings):
    settings = service_settings(
        "projects", bootstrap=broker.bootstrap, consumer_backoff_base_seconds=0.05
    )
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("needs a database server to take away (PostgreSQL)")
    suffix = uuid.uuid4().hex[:8]
    topic, consumer_name = f"srs.reliability-{suffix}", f"reliability-{suffix}"
    applied: list[str] = []

    async def handler(session, event) -> None:
        applied.append(event.id)

    db = Database(settings.database_url, service="projects", messaging=messaging)
    runner = ConsumerRunner(db, settings, {PROBE: handler}, [topic], consumer=consumer_name)
    await ensure_topics(settings.platform, [topic, runner.dead_letter_topic])
    consuming = asyncio.create_task(runner.run())
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap)
    await producer.start()
    try:
        for _ in range(300):
            if runner.state()["assigned_partitions"]:
                break
            await asyncio.sleep(0.05)
        async with databases_away([settings.database_url]):
            await producer.send_and_wait(
                topic,
                value=b"{}",
                key=b"k",
                headers=to_headers(
                    event_id=str(uuid.uuid4()),
                    source="/srs/reliability",
                    event_type=PROBE,
                    subject="k",
                    time=utcnow(),
                    correlation_id=None,
                ),
            )
            await asyncio.sleep(1.5)
        for _ in range(300):
            if applied:
                break
            await asyncio.sleep(0.05)
        assert applied, "the event was never applied"
        assert await _records(broker.bootstrap, runner.dead_letter_topic) == 0
    finally:
        consuming.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await consuming
        await asyncio.wait_for(producer.stop(), 10)
        await db.dispose()
