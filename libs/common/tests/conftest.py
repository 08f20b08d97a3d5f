"""Fixtures for the mechanism tests: a scratch service database with the messaging
tables and a ``widget`` table, and helpers to read topics from the real broker."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import Column, Integer, MetaData, String, Table

from srs_common.broker import Broker
from srs_common.config import PlatformSettings, ServiceSettings
from srs_common.db import Database
from srs_common.events.tables import messaging_tables
from srs_common.idempotency import idempotency_table
from srs_common.testing import database_url_for, ensure_postgres_database, truncate_all

metadata = MetaData()
messaging = messaging_tables(metadata)
idempotency = idempotency_table(metadata)
widget = Table(
    "widget",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("applied", Integer, nullable=False, default=0),
)


@pytest.fixture(scope="session")
def mechanism_db_url(srs_tmp: Path) -> str:
    url = database_url_for("mechanisms", srs_tmp)
    if url.startswith("postgresql"):
        ensure_postgres_database(url, recreate=True)
    return url


@pytest.fixture
async def db(mechanism_db_url: str) -> AsyncIterator[Database]:
    database = Database(mechanism_db_url, service="widgets", messaging=messaging)
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await truncate_all(database, metadata)
    yield database
    await database.dispose()


def make_settings(bootstrap: str, **overrides: object) -> ServiceSettings:
    topic_suffix = uuid.uuid4().hex[:8]
    values = {
        "service_name": f"widgets{topic_suffix}",
        "platform": PlatformSettings(
            kafka_bootstrap=bootstrap,
            log_json=False,
            session_timeout_ms=6000,
            request_timeout_ms=10000,
        ),
        "relay_poll_seconds": 0.05,
        "relay_lease_seconds": 2.0,
        "consumer_backoff_base_seconds": 0.01,
        "consumer_max_attempts": 3,
    }
    values.update(overrides)
    return ServiceSettings(**values)  # type: ignore[arg-type]


async def read_topic(bootstrap: str, topic: str, count: int, timeout: float = 20.0) -> list:
    """Read at least ``count`` records from the start of ``topic`` (any partition)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_wait_ms=50,
    )
    await consumer.start()
    records: list = []
    deadline = time.monotonic() + timeout
    try:
        while len(records) < count and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=200)
            for batch in batches.values():
                records.extend(batch)
    finally:
        await asyncio.wait_for(consumer.stop(), 5)
    return records


async def eventually(
    check: Callable[[], Awaitable[bool]], timeout: float = 20.0, interval: float = 0.05
) -> None:
    """Await a condition (not a fixed sleep): poll until it holds or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


@pytest.fixture
def bootstrap(broker: Broker) -> str:
    return broker.bootstrap
