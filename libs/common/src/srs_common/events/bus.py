"""Talking to the broker: producers, topic creation, reachability.

Everything goes through aiokafka, so the same code runs on Apache Kafka and on the
embedded Tansu broker; the differences (docs/reference/broker.md) are settings, not branches.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from srs_common.config import PlatformSettings

if TYPE_CHECKING:
    from aiokafka import AIOKafkaProducer

log = logging.getLogger(__name__)


def make_producer(platform: PlatformSettings, **overrides: object) -> AIOKafkaProducer:
    # aiokafka (~2 MB) is imported where a client is made: a process that runs neither
    # relay nor consumers (an API replica, a test server) never loads it.
    from aiokafka import AIOKafkaProducer

    options: dict[str, object] = {
        "bootstrap_servers": platform.kafka_bootstrap,
        "acks": "all",
        "enable_idempotence": platform.kafka_idempotence,
        "linger_ms": 2,
        "max_batch_size": 256 * 1024,
        "max_request_size": 6 * 1024 * 1024,
        "request_timeout_ms": platform.request_timeout_ms,
        "retry_backoff_ms": 200,
    }
    options.update(overrides)
    return AIOKafkaProducer(**options)


async def start_producer(platform: PlatformSettings) -> AIOKafkaProducer:
    """A started producer, or the start's error with nothing left open."""
    producer = make_producer(platform)
    try:
        await producer.start()
    except BaseException:
        await stop_quietly(producer)
        raise
    return producer


async def ensure_topics(
    platform: PlatformSettings, topics: Iterable[str], partitions: int | None = None
) -> None:
    """Create topics explicitly (auto-creation would pick its own partition count).

    Safe to call repeatedly: existing topics are left alone. Called at start-up and again
    when the broker reports a topic unknown (the embedded broker forgets on restart).
    """
    wanted = sorted(set(topics))
    if not wanted:
        return
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import TopicAlreadyExistsError

    admin = AIOKafkaAdminClient(
        bootstrap_servers=platform.kafka_bootstrap, request_timeout_ms=platform.request_timeout_ms
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if not missing:
            return
        new = [
            NewTopic(
                name=t,
                num_partitions=partitions or platform.topic_partitions,
                replication_factor=platform.topic_replication_factor,
            )
            for t in missing
        ]
        with contextlib.suppress(TopicAlreadyExistsError):
            await admin.create_topics(new)
        log.info("created topics %s", missing)
    finally:
        await asyncio.wait_for(admin.close(), timeout=5)


async def broker_reachable(platform: PlatformSettings, timeout: float = 1.0) -> bool:
    """Whether the first bootstrap server accepts a TCP connection."""
    host, _, port = platform.kafka_bootstrap.split(",")[0].rpartition(":")
    try:
        _reader, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), timeout)
    except (TimeoutError, OSError, ValueError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


async def stop_quietly(client: object, timeout: float = 5.0) -> None:
    """Stop an aiokafka client without ever hanging (stop() can hang after topic loss)."""
    stop = getattr(client, "stop", None)
    if stop is None:
        return
    try:
        await asyncio.wait_for(stop(), timeout=timeout)
    except Exception:  # noqa: BLE001 - shutting down; nothing useful to do with it
        log.debug("client stop timed out or failed", exc_info=True)
