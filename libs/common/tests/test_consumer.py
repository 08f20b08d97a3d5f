"""The consumer runner against the real broker: inbox de-duplication, retries, dead
letters with origin headers, per-key quarantine, undecodable messages."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import ClassVar

from aiokafka import AIOKafkaProducer
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from srs_common.contracts.base import Contract
from srs_common.events.bus import ensure_topics
from srs_common.events.consumer import REPLAY_HEADER, ConsumerRunner
from srs_common.events.envelope import encode_data, to_headers

from .conftest import eventually, make_settings, read_topic, widget


class WidgetApplied(Contract):
    """Test-only contract: add one to a widget's counter."""

    type: ClassVar[str] = "srs.widget.applied.v1"
    topic: ClassVar[str] = "srs.widgets-consumer-test"
    example: ClassVar[dict] = {"widget_id": "w1"}

    widget_id: str


async def bump(session, event) -> None:
    """The handler under test: a non-idempotent effect (a counter), so duplicates show."""
    wid = event.payload.widget_id
    if wid.startswith("poison"):
        raise ValueError(f"cannot apply {wid}")
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(widget).values(id=wid, applied=0).on_conflict_do_nothing(index_elements=["id"])
    )
    await session.execute(
        update(widget).where(widget.c.id == wid).values(applied=widget.c.applied + 1)
    )


def record(widget_id: str, *, key: str, event_id: str | None = None):
    headers = to_headers(
        event_id=event_id or str(uuid.uuid4()),
        source="/srs/widgets",
        event_type=WidgetApplied.type,
        subject=key,
        time=_now(),
        correlation_id="corr-1",
    )
    return encode_data({"widget_id": widget_id}), key.encode(), headers


def _now():
    import datetime as dt

    return dt.datetime.now(dt.UTC)


async def applied(db, widget_id: str) -> int:
    async with db.engine.connect() as conn:
        value = (
            await conn.execute(select(widget.c.applied).where(widget.c.id == widget_id))
        ).scalar_one_or_none()
    return value or 0


@contextlib.asynccontextmanager
async def consuming(db, settings, topic):
    runner = ConsumerRunner(
        db, settings, {WidgetApplied.type: bump}, [topic], consumer=settings.service_name
    )
    task = asyncio.create_task(runner.run())
    try:
        yield runner
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def produce(bootstrap, topic, messages, *, raw=False):
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for value, key, headers in messages:
            await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()


async def test_same_event_delivered_twice_applies_once(db, bootstrap):
    settings = make_settings(bootstrap)
    topic = f"srs.test.{uuid.uuid4().hex[:8]}"
    await ensure_topics(settings.platform, [topic])
    event_id = str(uuid.uuid4())
    twice = [record("w-dup", key="w-dup", event_id=event_id)] * 2
    async with consuming(db, settings, topic) as runner:
        # The marker shares the key, so it is consumed after both copies (same partition).
        await produce(bootstrap, topic, [*twice, record("w-marker", key="w-dup")])
        await eventually(lambda: _is(applied(db, "w-marker"), 1))
    assert await applied(db, "w-dup") == 1, "a redelivered event changed state twice"
    assert runner.processed == 2


async def test_lag_counts_what_is_left_to_read_and_falls_to_zero(db, bootstrap):
    """``/v1/messaging`` reports the consumer's lag; benchmarks and operators wait on it."""
    settings = make_settings(bootstrap)
    topic = f"srs.test.{uuid.uuid4().hex[:8]}"
    await ensure_topics(settings.platform, [topic])
    runner = ConsumerRunner(
        db, settings, {WidgetApplied.type: bump}, [topic], consumer=settings.service_name
    )
    assert runner.lag() is None and runner.state()["lag"] is None  # not started: unknown
    await produce(bootstrap, topic, [record(f"w-lag-{n}", key=f"w-lag-{n}") for n in range(5)])
    task = asyncio.create_task(runner.run())
    try:
        await eventually(lambda: _is(applied(db, "w-lag-4"), 1))
        await eventually(lambda: _zero_lag(runner))
        assert runner.state()["lag"] == 0
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _zero_lag(runner) -> bool:
    return runner.lag() == 0


async def test_failing_handler_retries_then_dead_letters_and_later_events_wait(db, bootstrap):
    settings = make_settings(bootstrap)
    topic = f"srs.test.{uuid.uuid4().hex[:8]}"
    await ensure_topics(settings.platform, [topic])
    poison_id = str(uuid.uuid4())
    messages = [
        record("poison-1", key="k1", event_id=poison_id),
        record("after-poison", key="k1"),  # same key: must wait behind the poison
        record("other-key", key="k2"),  # another key: flows on
    ]
    async with consuming(db, settings, topic) as runner:
        await produce(bootstrap, topic, messages)
        await eventually(lambda: _is(applied(db, "other-key"), 1))
        await eventually(lambda: _true(runner.dead_lettered == 2))
    assert await applied(db, "after-poison") == 0, "a later event overtook the dead letter"

    dead = await read_topic(bootstrap, settings.dead_letter_topic, 2)
    assert len(dead) == 2
    first = dict(dead[0].headers)
    assert first["ce_id"] == poison_id.encode()
    assert first["srs_dlq_reason"] == b"handler-failed"
    assert first["srs_dlq_origin_topic"] == topic.encode()
    assert first["srs_dlq_origin_offset"] == b"0"
    assert int(first["srs_dlq_origin_partition"]) in range(settings.platform.topic_partitions)
    assert first["srs_dlq_attempts"] == str(settings.consumer_max_attempts).encode()
    assert b"cannot apply poison-1" in first["srs_dlq_error"]
    parked = dict(dead[1].headers)
    assert parked["srs_dlq_reason"] == b"quarantined"
    assert poison_id.encode() in parked["srs_dlq_error"]


async def test_a_burst_shares_transactions_and_a_poison_in_it_costs_nothing_else(db, bootstrap):
    """Records of one fetch are applied together (one commit for a run of them); when one
    fails, the run is rolled back and applied one by one: every other event applies
    exactly once, in order, and only the poison and what shares its key are parked."""
    settings = make_settings(bootstrap)
    topic = f"srs.test.{uuid.uuid4().hex[:8]}"
    await ensure_topics(settings.platform, [topic], partitions=1)
    burst = [record(f"w-burst-{n}", key=f"b{n}") for n in range(30)]
    burst[12] = record("poison-burst", key="b-poison")
    burst[20] = record("after-burst-poison", key="b-poison")  # must wait behind it
    await produce(bootstrap, topic, burst)  # all waiting: the first fetch takes them all
    async with consuming(db, settings, topic) as runner:
        await eventually(lambda: _is(applied(db, "w-burst-29"), 1))
        await eventually(lambda: _true(runner.dead_lettered == 2))
    for n in range(30):
        if n not in (12, 20):
            assert await applied(db, f"w-burst-{n}") == 1, f"event {n} applied wrongly"
    assert await applied(db, "after-burst-poison") == 0
    assert runner.processed == 28


async def test_replay_in_order_releases_the_quarantine(db, bootstrap):
    """Operations replay dead letters (the failing one first): each applies once, in order."""
    settings = make_settings(bootstrap)
    topic = f"srs.test.{uuid.uuid4().hex[:8]}"
    await ensure_topics(settings.platform, [topic])
    async with consuming(db, settings, topic) as runner:
        await produce(bootstrap, topic, [record("poison-x", key="k9"), record("parked", key="k9")])
        await eventually(lambda: _true(runner.dead_lettered == 2))
        dead = await read_topic(bootstrap, settings.dead_letter_topic, 2)
        # The poison is fixed upstream; replay both, with their original ids, in order.
        fixed = []
        for rec in dead:
            headers = [(k, v) for k, v in rec.headers if not k.startswith("srs_dlq_")]
            value = rec.value.replace(b"poison-x", b"fixed-x")
            fixed.append((value, rec.key, [*headers, (REPLAY_HEADER, b"1")]))
        await produce(bootstrap, topic, fixed + fixed)  # replayed twice: still once
        await eventually(lambda: _is(applied(db, "parked"), 1))
    assert await applied(db, "fixed-x") == 1
    assert await applied(db, "parked") == 1


async def test_undecodable_bytes_go_to_dead_letters_at_once(db, bootstrap):
    settings = make_settings(bootstrap)
    topic = f"srs.test.{uuid.uuid4().hex[:8]}"
    await ensure_topics(settings.platform, [topic])
    garbage = [
        (b"\xff\x00not json", b"kx", []),
        (b'{"widget_id": "no-headers"}', b"ky", [("ce_type", WidgetApplied.type.encode())]),
    ]
    async with consuming(db, settings, topic) as runner:
        await produce(bootstrap, topic, [*garbage, record("fine", key="kz")])
        await eventually(lambda: _is(applied(db, "fine"), 1))
        await eventually(lambda: _true(runner.dead_lettered == 2))
    dead = await read_topic(bootstrap, settings.dead_letter_topic, 2)
    assert [dict(r.headers)["srs_dlq_reason"] for r in dead] == [b"undecodable", b"undecodable"]
    assert [dict(r.headers)["srs_dlq_attempts"] for r in dead] == [b"0", b"0"]
    assert {r.value for r in dead} == {value for value, _key, _headers in garbage}


async def _is(coro, expected) -> bool:
    return await coro == expected


async def _true(value: bool) -> bool:
    return value


async def test_discarded_dead_letter_releases_the_key_without_applying(db, bootstrap):
    from srs_common.events.consumer import DISCARD_HEADER

    settings = make_settings(bootstrap)
    topic = f"srs.test.{uuid.uuid4().hex[:8]}"
    await ensure_topics(settings.platform, [topic])
    async with consuming(db, settings, topic) as runner:
        await produce(bootstrap, topic, [record("poison-d", key="kd")])
        await eventually(lambda: _true(runner.dead_lettered == 1))
        dead = (await read_topic(bootstrap, settings.dead_letter_topic, 1))[0]
        headers = [(k, v) for k, v in dead.headers if not k.startswith("srs_dlq_")]
        await produce(
            bootstrap,
            topic,
            [
                (dead.value, dead.key, [*headers, (DISCARD_HEADER, b"1")]),
                record("next-on-kd", key="kd"),
            ],
        )
        await eventually(lambda: _is(applied(db, "next-on-kd"), 1))
    assert await applied(db, "poison-d") == 0
    assert runner.dead_lettered == 1, "the event after the discard was not parked"


class WidgetChecked(Contract):
    """Test-only contract: note a widget's counter as it is now."""

    type: ClassVar[str] = "srs.widget.checked.v1"
    topic: ClassVar[str] = WidgetApplied.topic
    example: ClassVar[dict] = {"widget_id": "w1"}

    widget_id: str


def checked(widget_id: str, *, key: str):
    value, key_bytes, headers = record(widget_id, key=key)
    headers = [(k, WidgetChecked.type.encode() if k == "ce_type" else v) for k, v in headers]
    return value, key_bytes, headers


async def test_a_run_of_one_contract_goes_to_its_set_based_handler_in_order_per_key(db, bootstrap):
    """A contract with a set-based handler gets the run of its events in one call, each
    event once (a redelivered copy in the same fetch is not applied again); an event of
    another type with the same key keeps its place between them."""
    from srs_common.events.handlers import Handlers

    settings = make_settings(bootstrap)
    topic = f"srs.test.{uuid.uuid4().hex[:8]}"
    await ensure_topics(settings.platform, [topic], partitions=1)
    runs: list[list[str]] = []
    seen: dict[str, int] = {}
    handlers = Handlers()

    @handlers.on(WidgetApplied)
    async def one(session, event, payload: WidgetApplied) -> None:
        await bump(session, event)

    @handlers.on_many(WidgetApplied)
    async def many(session, events) -> None:
        runs.append([payload.widget_id for _, payload in events])
        for event, _ in events:
            await bump(session, event)

    @handlers.on(WidgetChecked)
    async def check(session, event, payload: WidgetChecked) -> None:
        async with session.begin_nested():
            value = (
                await session.execute(select(widget.c.applied).where(widget.c.id == "w-k"))
            ).scalar_one_or_none()
        seen[payload.widget_id] = value or 0

    again = str(uuid.uuid4())
    burst = [record(f"w-run-{n}", key=f"r{n}") for n in range(20)]
    burst[3] = record("w-run-3", key="r3", event_id=again)
    burst.insert(10, record("w-run-3", key="r3", event_id=again))  # redelivered copy
    burst.insert(5, record("w-k", key="k"))
    burst.insert(6, checked("check-1", key="k"))  # after the first w-k
    burst.insert(15, record("w-k", key="k"))  # after the check
    await produce(bootstrap, topic, burst)  # all waiting: one fetch takes them all
    runner = ConsumerRunner(db, settings, handlers, [topic], consumer=settings.service_name)
    task = asyncio.create_task(runner.run())
    try:
        await eventually(lambda: _is(applied(db, "w-run-19"), 1))
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    for n in range(20):
        assert await applied(db, f"w-run-{n}") == 1, f"w-run-{n} applied wrongly"
    assert await applied(db, "w-k") == 2
    assert seen == {"check-1": 1}, "the check did not keep its place between its key's events"
    assert max(len(r) for r in runs) > 2, f"no run reached the set-based handler: {runs}"
    assert sum(r.count("w-run-3") for r in runs) <= 1
    assert runner.processed == 23
