"""The fault proxy itself, against a real Tansu broker that advertises it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaError

from srs_common.broker import free_port

from .faultstack import start_tansu
from .proxy import FaultProxy

pytestmark = pytest.mark.reliability


@pytest.fixture
def proxy(var_dir: Path) -> Iterator[FaultProxy]:
    (var_dir / "logs").mkdir()
    broker_port = free_port()
    proxy = FaultProxy(broker_port).start()
    broker = start_tansu(broker_port, proxy.port, var_dir / "logs" / "broker.log")
    try:
        yield proxy
    finally:
        broker.terminate()
        broker.wait(5)
        proxy.stop()


async def _read_all(bootstrap: str, topic: str) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", fetch_max_wait_ms=50
    )
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=3000)
        return [r.value for records in batches.values() for r in records]
    finally:
        await asyncio.wait_for(consumer.stop(), 10)


async def test_held_acknowledgements_leave_records_published_but_unacknowledged(proxy):
    bootstrap = f"127.0.0.1:{proxy.port}"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, request_timeout_ms=1500)
    await producer.start()
    try:
        await producer.send_and_wait("other", b"warm-up")
        await producer.send_and_wait("held", b"warm-up")
        proxy.hold_produce_acks("held")
        await producer.send_and_wait("other", b"not held")  # another topic's produce
        with pytest.raises(KafkaError):
            await producer.send_and_wait("held", b"stored, never acknowledged")
        assert proxy.held_connections == 1
    finally:
        proxy.restore()
        await asyncio.wait_for(producer.stop(), 10)
    assert b"stored, never acknowledged" in await _read_all(bootstrap, "held")


async def test_a_cut_refuses_clients_until_restored(proxy):
    bootstrap = f"127.0.0.1:{proxy.port}"
    proxy.cut()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, request_timeout_ms=1500)
    with pytest.raises(KafkaError):
        await producer.start()
    await asyncio.wait_for(producer.stop(), 10)
    proxy.restore()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait("after", b"through again")
    finally:
        await asyncio.wait_for(producer.stop(), 10)
