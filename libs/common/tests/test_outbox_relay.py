"""The transactional outbox and its relay, against the real broker and database."""

from __future__ import annotations

import asyncio
import contextlib
from typing import ClassVar

import pytest
from aiokafka.partitioner import DefaultPartitioner
from sqlalchemy import func, insert, select

from srs_common.broker import free_port, start_broker
from srs_common.contracts.base import Contract
from srs_common.events.outbox import publish
from srs_common.events.relay import Relay

from .conftest import eventually, make_settings, messaging, read_topic, widget


class WidgetChanged(Contract):
    """Test-only contract on a per-test topic."""

    type: ClassVar[str] = "srs.widget.changed.v1"
    topic: ClassVar[str] = "srs.widgets-test"
    example: ClassVar[dict] = {"widget_id": "w1", "seq": 1}

    widget_id: str
    seq: int


def changed(topic: str) -> type[WidgetChanged]:
    """A contract class publishing to ``topic`` (each test gets a fresh topic)."""
    return type("WidgetChangedOn", (WidgetChanged,), {"topic": topic})  # type: ignore[return-value]


@contextlib.asynccontextmanager
async def running(relay: Relay):
    task = asyncio.create_task(relay.run())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def pending(db) -> int:
    async with db.engine.connect() as conn:
        return (
            await conn.execute(
                select(func.count())
                .select_from(messaging.outbox)
                .where(messaging.outbox.c.sent_at.is_(None))
            )
        ).scalar_one()


async def test_rolled_back_publishes_nothing_committed_publishes_in_order(db, bootstrap):
    settings = make_settings(bootstrap)
    Event = changed(settings.topic)

    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await session.execute(insert(widget).values(id="ghost", applied=0))
            await publish(session, Event(widget_id="ghost", seq=0), subject="ghost")
            raise RuntimeError("business rule broken after the event was added")

    async with db.transaction() as session:
        for seq in range(1, 31):
            key = f"w{seq % 3}"
            await publish(session, Event(widget_id=key, seq=seq), subject=key)

    relay = Relay(db, settings)
    async with running(relay):
        await eventually(lambda: _zero(pending(db)))
    records = await read_topic(bootstrap, settings.topic, 30)

    assert len(records) == 30, "exactly the committed events, no more"
    subjects = [r.key.decode() for r in records]
    assert "ghost" not in subjects
    for key in ("w0", "w1", "w2"):
        seqs = [
            int(r.value.decode().split('"seq":')[1].rstrip("}"))
            for r in records
            if r.key.decode() == key
        ]
        assert seqs == sorted(seqs), f"events of {key} out of order: {seqs}"
    headers = dict(records[0].headers)
    assert headers["ce_type"] == b"srs.widget.changed.v1"
    assert headers["ce_source"] == b"/srs/widgets"
    assert headers["ce_specversion"] == b"1.0"


async def test_a_backlog_spanning_many_record_batches_keeps_each_key_on_its_partition_in_order(
    db, bootstrap
):
    """The relay packs rows into record batches per partition itself: every key still lands
    on the partition the producer's own ``send`` would choose, and in order, when a drain
    fills several batches per partition (rows of ~4 KB, 256 KB batches)."""
    settings = make_settings(bootstrap, relay_batch_size=300)
    Event = changed(settings.topic)
    padding = "x" * 4000
    keys = [f"w{k}" for k in range(7)]
    async with db.transaction() as session:
        for seq in range(700):
            key = keys[seq % len(keys)]
            body = Event(widget_id=key + "|" + padding, seq=seq)
            await publish(session, body, subject=key)

    relay = Relay(db, settings)
    async with running(relay):
        await eventually(lambda: _zero(pending(db)))
    records = await read_topic(bootstrap, settings.topic, 700)

    assert len(records) == 700
    partitions = sorted({r.partition for r in records})
    assert len(partitions) > 1, "the topic's several partitions are used"
    for key in keys:
        mine = [r for r in records if r.key.decode() == key]
        assert {r.partition for r in mine} == {
            DefaultPartitioner()(key.encode(), partitions, partitions)
        }, f"{key} left the partition send() would choose"
        seqs = [int(r.value.decode().split('"seq":')[1].rstrip("}")) for r in mine]
        assert seqs == sorted(seqs) and len(seqs) == 100, f"events of {key}: {seqs}"


async def _zero(count_coro) -> bool:
    return await count_coro == 0


async def test_writes_succeed_while_broker_is_down_and_are_delivered_after(db, srs_tmp):
    port = free_port()
    broker = start_broker(port)
    settings = make_settings(broker.bootstrap)
    Event = changed(settings.topic)
    relay = Relay(db, settings)
    try:
        async with running(relay):
            async with db.transaction() as session:
                await publish(session, Event(widget_id="a", seq=1), subject="a")
            await eventually(lambda: _zero(pending(db)))

            broker.stop()  # memory storage: topics are gone with it
            for seq in range(2, 12):
                async with db.transaction() as session:  # HTTP-side writes never block
                    await publish(session, Event(widget_id="a", seq=seq), subject="a")
            assert await pending(db) == 10

            broker = start_broker(port)
            await eventually(lambda: _zero(pending(db)), timeout=30)
        records = await read_topic(broker.bootstrap, settings.topic, 10)
        assert sorted(r.value for r in records) == sorted(
            Event(widget_id="a", seq=s).model_dump_json().encode() for s in range(2, 12)
        )
    finally:
        broker.stop()


async def test_two_relays_on_one_database_never_both_publish(db, bootstrap):
    settings = make_settings(bootstrap)
    Event = changed(settings.topic)
    first, second = Relay(db, settings, holder="relay-a"), Relay(db, settings, holder="relay-b")
    both_active_seen = False

    async def watch() -> None:
        nonlocal both_active_seen
        while True:
            if first.active and second.active:
                both_active_seen = True
            await asyncio.sleep(0.005)

    watcher = asyncio.create_task(watch())
    tasks = {first: asyncio.create_task(first.run()), second: asyncio.create_task(second.run())}
    try:
        await eventually(lambda: _true(first.active or second.active))
        for batch in range(5):
            async with db.transaction() as session:
                for seq in range(10):
                    await publish(
                        session, Event(widget_id=f"k{seq}", seq=batch * 10 + seq), subject=f"k{seq}"
                    )
        await eventually(lambda: _zero(pending(db)))
        assert {first.published, second.published} == {0, 50}, "one relay published all"

        # The active relay dies: the standby takes over within the lease.
        active, standby = (first, second) if first.active else (second, first)
        tasks[active].cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await tasks[active]
        async with db.transaction() as session:
            await publish(session, Event(widget_id="after", seq=99), subject="after")
        await eventually(lambda: _zero(pending(db)), timeout=15)
        assert standby.published == 1
    finally:
        watcher.cancel()
        for task in tasks.values():
            task.cancel()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
    assert not both_active_seen, "two relays held the lease at the same moment"
    records = await read_topic(bootstrap, settings.topic, 51)
    assert len(records) == 51


async def _true(value: bool) -> bool:
    return value


async def test_a_commit_during_a_drain_is_published_without_waiting_for_the_poll(db, bootstrap):
    """The service wakes its relay after every commit that wrote outbox rows. A wake that
    arrives while a drain is in flight must start another drain at once; before the fix
    the relay cleared it after the drain and slept a whole poll interval (up to 1 s per
    hop of every saga)."""
    settings = make_settings(bootstrap, relay_poll_seconds=1.0)
    relay = Relay(db, settings)
    drains: list[int] = []
    second = asyncio.Event()
    real_drain = relay.drain_once

    async def drain_and_get_woken() -> int:
        drains.append(len(drains))
        if len(drains) == 2:  # the first pass of the loop drains twice at most: 1 row
            relay.wake()  # a commit lands while this drain is in flight
        elif len(drains) == 3:
            second.set()
        return await real_drain()

    relay.drain_once = drain_and_get_woken  # type: ignore[method-assign]
    async with running(relay):
        await eventually(lambda: _true(len(drains) >= 1))
        relay.wake()
        # The drain after the first wake saw the second wake arrive mid-drain: the next
        # drain follows at once, long before the 1 s poll would have run it.
        await asyncio.wait_for(second.wait(), timeout=0.6)


async def test_a_relay_at_rest_is_woken_at_once_by_a_commit_made_elsewhere(db, bootstrap):
    """The relay waits longer and longer between polls at rest. On PostgreSQL an outbox
    write notifies, and the relay listens on its lease connection: a commit made without
    the relay's own after-commit hook (as by an API replica) is published at once, not
    after the long wait. On SQLite the wait stays within half of the lease it renews."""
    settings = make_settings(bootstrap, relay_poll_seconds=0.2, relay_idle_poll_seconds=30.0)
    relay = Relay(db, settings)
    if db.dialect != "postgresql":
        assert relay._pace.idle == settings.relay_lease_seconds / 2
        return
    Event = changed(settings.topic)
    async with running(relay):
        await eventually(lambda: _true(relay.active))
        # At rest until the relay's wait has grown to 6.4 s (0.2 doubled five times).
        await eventually(lambda: _true(relay._pace.delay >= 6.4), timeout=20, interval=0.2)
        async with db.transaction() as session:  # no hook of the relay's runtime here
            await publish(session, Event(widget_id="w", seq=1), subject="w")
        started = asyncio.get_running_loop().time()
        await eventually(lambda: _zero(pending(db)), timeout=10)
        assert asyncio.get_running_loop().time() - started < 3.0, "woken, not polled"
