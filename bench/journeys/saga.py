"""The saga latency row: panel approval -> project space provisioned -> project active,
against raw aiokafka produce -> consume with the services' consumer settings."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
import uuid

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from harness import Profile, Row, cpu_per, stack_cpu_seconds

from journeys import handling
from journeys.common import ALICE, APPLICATION
from srs_common.events.bus import ensure_topics


def _consumer(bootstrap: str, topic: str) -> AIOKafkaConsumer:
    """The services' consumer settings (srs_common.events.consumer), without a group."""
    from srs_common.config import PlatformSettings

    platform = PlatformSettings()
    return AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="latest",
        enable_auto_commit=False,
        fetch_max_wait_ms=platform.fetch_max_wait_ms,
        request_timeout_ms=platform.request_timeout_ms,
    )


async def _ready(consumer: AIOKafkaConsumer) -> None:
    """Wait until the consumer holds positions on every partition of its topic."""
    while not consumer.assignment():
        await consumer.getmany(timeout_ms=100)
    for tp in consumer.assignment():
        await consumer.position(tp)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def saga_latency(ctx) -> list[Row]:
    """Panel approval -> project space provisioned -> project active, at a steady rate;
    latency from the approve request to the ce_time of srs.project.activated.v1, vs raw
    aiokafka produce -> consume with the same consumer settings; and the consumers' median
    handling cost per event meanwhile (:mod:`journeys.handling`)."""
    from rows import _headers

    p: Profile = ctx.profile
    count = p.saga_rate * p.saga_seconds
    base = ctx.stack.url("projects")
    alice = _headers(ctx, "researcher", sub=ALICE, researcher_id=ALICE)
    panel = _headers(ctx, "panel", sub="bench-panel")
    limits = httpx.Limits(max_connections=16)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        gate = asyncio.Semaphore(8)

        async def prepare() -> str:
            async with gate:
                r = await client.post(f"{base}/v1/projects", headers=alice, json=APPLICATION)
                r.raise_for_status()
                project_id = r.json()["id"]
                (
                    await client.post(f"{base}/v1/projects/{project_id}/submit", headers=alice)
                ).raise_for_status()
                (
                    await client.post(f"{base}/v1/projects/{project_id}/review", headers=panel)
                ).raise_for_status()
                return project_id

        project_ids = await asyncio.gather(*(prepare() for _ in range(count)))
        # Preparing them published hundreds of events every service consumes: measure the
        # steady rate, not the tail of that burst.
        ops = _headers(ctx, "ops", sub="bench-ops")["Authorization"].split()[1]
        drained = await asyncio.to_thread(ctx.stack.wait_drained, ops)
        print(f"  prepared {count} projects; platform drained in {drained:.1f} s", flush=True)
        bootstrap = ctx.stack.broker.bootstrap
        consumer = _consumer(bootstrap, "srs.projects")
        await consumer.start()
        activated: dict[str, float] = {}
        received: dict[str, float] = {}
        try:
            await _ready(consumer)
            stop = asyncio.Event()

            async def consume() -> None:
                while not stop.is_set():
                    batches = await consumer.getmany(timeout_ms=200)
                    now = time.time()
                    for messages in batches.values():
                        for m in messages:
                            headers = dict(m.headers)
                            if headers.get("ce_type") != b"srs.project.activated.v1":
                                continue
                            project_id = json.loads(m.value)["project_id"]
                            ce_time = dt.datetime.fromisoformat(
                                headers["ce_time"].decode().replace("Z", "+00:00")
                            )
                            activated[project_id] = ce_time.timestamp()
                            received[project_id] = now

            reader = asyncio.create_task(consume())
            sent: dict[str, float] = {}
            cpu_before = stack_cpu_seconds(ctx.stack)
            handling_before = await asyncio.to_thread(handling.scrape, ctx)

            async def approve(project_id: str) -> None:
                sent[project_id] = time.time()
                r = await client.post(
                    f"{base}/v1/projects/{project_id}/approve",
                    headers=panel,
                    json={"reason": "bench"},
                )
                r.raise_for_status()

            started = time.monotonic()
            tasks = []
            for i, project_id in enumerate(project_ids):
                await asyncio.sleep(max(0.0, started + i / p.saga_rate - time.monotonic()))
                tasks.append(asyncio.create_task(approve(project_id)))
            await asyncio.gather(*tasks)
            deadline = time.monotonic() + 60
            while len(activated) < count and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            stop.set()
            await reader
            cpu_after = stack_cpu_seconds(ctx.stack)
            handling_after = await asyncio.to_thread(handling.scrape, ctx)
        finally:
            await asyncio.wait_for(consumer.stop(), 10)
    if len(activated) < count:
        raise RuntimeError(f"only {len(activated)} of {count} projects activated")
    saga = [(activated[x] - sent[x]) * 1000 for x in project_ids]
    seen = [(received[x] - sent[x]) * 1000 for x in project_ids]
    raw = await _raw_latency(bootstrap, p)
    cpu = cpu_per(cpu_before, cpu_after, count)
    p50, p99, raw99 = _pct(saga, 0.5), _pct(saga, 0.99), _pct(raw, 0.99)
    saga_row = Row(
        "saga latency",
        f"approve -> provisioned -> active, {p.saga_rate}/s for {p.saga_seconds} s",
        "raw aiokafka produce->consume",
        value=f"p50 {p50:.0f} ms, p99 {p99:.0f} ms",
        base_value=f"p50 {_pct(raw, 0.5):.0f} ms, p99 {raw99:.0f} ms",
        ratio=f"p99 {p99 / raw99:.1f}x",
        target="p50 < 100 ms; p99 < 500 ms",
        met=p50 < 100 and p99 < 500,
        note=f"activation seen by a consumer: p50 {_pct(seen, 0.5):.0f} ms, "
        f"p99 {_pct(seen, 0.99):.0f} ms; CPU per approval: {cpu}",
    )
    return [saga_row, handling.handling_row(handling_before, handling_after, count)]


async def _raw_latency(bootstrap: str, p: Profile) -> list[float]:
    """Produce -> consume latency of 1 KiB messages at the saga's rate (for at most 20 s:
    400 samples give its p99, and the full run stays within its 15 minutes)."""
    topic = f"srs.bench.latency.{uuid.uuid4().hex[:6]}"
    from srs_common.config import PlatformSettings

    await ensure_topics(PlatformSettings(kafka_bootstrap=bootstrap), [topic])
    consumer = _consumer(bootstrap, topic)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=2)
    await consumer.start()
    await producer.start()
    latencies: list[float] = []
    try:
        await _ready(consumer)
        count = p.saga_rate * min(p.saga_seconds, 20)

        async def consume() -> None:
            while len(latencies) < count:
                batches = await consumer.getmany(timeout_ms=200)
                now = time.time()
                for messages in batches.values():
                    for m in messages:
                        latencies.append((now - float(m.key.decode())) * 1000)

        reader = asyncio.create_task(consume())
        started = time.monotonic()
        for i in range(count):
            await asyncio.sleep(max(0.0, started + i / p.saga_rate - time.monotonic()))
            await producer.send(topic, b"x" * 1024, key=repr(time.time()).encode())
        await asyncio.wait_for(reader, 60)
    finally:
        await producer.stop()
        await asyncio.wait_for(consumer.stop(), 10)
    return latencies
