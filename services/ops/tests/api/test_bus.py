"""The monitor on the real broker: events stored, lag against known counts, dead letters
read from their topic and replayed exactly once in effect (the origin consumer's inbox)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import uuid
from collections import Counter

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from srs_common.events.bus import ensure_topics
from srs_common.events.consumer import REPLAY_HEADER, ConsumerRunner
from srs_common.events.envelope import encode_data, to_headers

from ..conftest import eventually

WIDGET = "srs.opstest.widget.v1"


def cloud_event(widget_id: str, *, key: str, event_id: str | None = None):
    headers = to_headers(
        event_id=event_id or str(uuid.uuid4()),
        source="/srs/opstest",
        event_type=WIDGET,
        subject=key,
        time=dt.datetime.now(dt.UTC),
        correlation_id=f"corr-{widget_id}",
    )
    return encode_data({"widget_id": widget_id}), key.encode(), headers


async def produce(bootstrap: str, topic: str, records, *, partition: int | None = None) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for value, key, headers in records:
            await producer.send_and_wait(
                topic, value=value, key=key, headers=headers, partition=partition
            )
    finally:
        await producer.stop()


def names() -> dict[str, str]:
    tag = uuid.uuid4().hex[:8]
    return {
        "topic": f"srs.opstest{tag}",
        "group": f"srs-opstest{tag}",
        "consumer": f"opstest{tag}",
        "dlq": f"srs.dlq.opstest{tag}",
        "dlq_group": f"srs-ops-dlq-{tag}",
    }


async def test_lag_is_end_offset_minus_committed_for_a_known_count(service_client, broker, tokens):
    n = names()
    async with service_client(
        "ops",
        bootstrap=broker.bootstrap,
        run_consumers=True,
        monitored_topics=[n["topic"]],
        dead_letter_topics=[n["dlq"]],
        dead_letter_group=n["dlq_group"],
        lag_groups=[n["group"], "srs-ops"],
    ) as client:
        await ensure_topics(client.runtime.settings.platform, [n["topic"]])
        await produce(
            broker.bootstrap,
            n["topic"],
            [cloud_event(f"w{i}", key="k") for i in range(10)],
            partition=0,
        )
        # A group that has consumed four of the ten.
        group = AIOKafkaConsumer(
            bootstrap_servers=broker.bootstrap, group_id=n["group"], enable_auto_commit=False
        )
        await group.start()
        try:
            tp = TopicPartition(n["topic"], 0)
            group.assign([tp])
            await group.commit({tp: 4})
        finally:
            await group.stop()
        ops = tokens.headers("ops")

        async def stored() -> bool:
            body = (
                await client.get("/v1/events", params={"source": "/srs/opstest"}, headers=ops)
            ).json()
            return len(body["items"]) == 10

        await eventually(stored)

        async def lag_rows():
            rows = (await client.get("/v1/lag", headers=ops)).json()
            mine = {(r["group"], r["partition"]): r for r in rows if r["topic"] == n["topic"]}
            monitor = mine.get(("srs-ops", 0))
            return mine if monitor and monitor["committed_offset"] == 10 else None

        rows = await eventually(lag_rows)
        assert rows[(n["group"], 0)] == {
            "group": n["group"],
            "topic": n["topic"],
            "partition": 0,
            "end_offset": 10,
            "committed_offset": 4,
            "lag": 6,
        }
        assert rows[("srs-ops", 0)]["lag"] == 0
        assert (n["group"], 1) not in rows, "a partition the group never read has no lag row"


@contextlib.asynccontextmanager
async def origin_consumer(client, n, handler):
    settings = client.runtime.settings.model_copy(update={"consumer_max_attempts": 2})
    runner = ConsumerRunner(
        client.runtime.db, settings, {WIDGET: handler}, [n["topic"]], consumer=n["consumer"]
    )
    task = asyncio.create_task(runner.run())
    try:
        yield runner
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_replay_delivers_a_dead_letter_once_and_only_once(service_client, broker, tokens):
    n = names()
    applied: Counter[str] = Counter()
    broken = {"poison"}

    async def handle(session, event) -> None:
        widget = event.data["widget_id"]
        if widget in broken:
            raise ValueError(f"cannot apply {widget}")
        applied[widget] += 1

    async with (
        service_client(
            "ops",
            bootstrap=broker.bootstrap,
            run_consumers=True,
            monitored_topics=[n["topic"]],
            dead_letter_topics=[n["dlq"]],
            dead_letter_group=n["dlq_group"],
            lag_groups=[],
        ) as client,
        origin_consumer(client, n, handle),
    ):
        await ensure_topics(client.runtime.settings.platform, [n["topic"], n["dlq"]])
        poison_id = str(uuid.uuid4())
        await produce(
            broker.bootstrap,
            n["topic"],
            [cloud_event("poison", key="k1", event_id=poison_id), cloud_event("behind", key="k1")],
        )
        support, ops = tokens.headers("support", sub="sam-support"), tokens.headers("ops")

        async def two_dead_letters():
            body = (await client.get("/v1/dead-letters", headers=ops)).json()
            return body["items"] if len(body["items"]) == 2 else None

        letters = sorted(await eventually(two_dead_letters), key=lambda d: d["id"])
        poison, behind = letters
        assert (poison["consumer"], poison["reason"], poison["event_id"]) == (
            n["consumer"],
            "handler-failed",
            poison_id,
        )
        assert poison["origin_topic"] == n["topic"] and poison["attempts"] == 2
        assert "cannot apply poison" in poison["error"]
        assert behind["reason"] == "quarantined" and behind["state"] == "open"
        detail = (await client.get(f"/v1/dead-letters/{poison['id']}", headers=ops)).json()
        assert {"name": "ce_id", "value": poison_id} in detail["headers"]
        assert '"widget_id":"poison"' in detail["value"]
        assert applied == Counter()

        broken.clear()  # the handler is fixed upstream
        replayed = await client.post(
            f"/v1/dead-letters/{poison['id']}/replay",
            json={"reason": "handler fixed"},
            headers=support,
        )
        assert replayed.status_code == 200, replayed.text
        assert replayed.json()["state"] == "replayed"
        assert replayed.json()["action"]["actor"] == "sam-support"
        again = await client.post(
            f"/v1/dead-letters/{poison['id']}/replay", json={"reason": "once more"}, headers=support
        )
        assert again.status_code == 409
        assert again.json()["current_state"] == "replayed"
        assert (
            await client.post(
                f"/v1/dead-letters/{behind['id']}/replay",
                json={"reason": "after the poison"},
                headers=support,
            )
        ).status_code == 200

        async def both_applied():
            return applied["poison"] == 1 and applied["behind"] == 1

        await eventually(both_applied)
        # A crash after the broker's ack but before the commit would deliver it twice:
        # the origin consumer's inbox absorbs the duplicate.
        value, key, headers = cloud_event("poison", key="k1", event_id=poison_id)
        await produce(
            broker.bootstrap,
            n["topic"],
            [(value, key, [*headers, (REPLAY_HEADER, b"1")]), cloud_event("marker", key="k1")],
        )

        async def marker_applied():
            return applied["marker"] == 1

        await eventually(marker_applied)
        assert applied == Counter(poison=1, behind=1, marker=1)
        listed = (
            await client.get("/v1/dead-letters", params={"state": "replayed"}, headers=ops)
        ).json()["items"]
        assert {d["id"] for d in listed} == {poison["id"], behind["id"]}


async def test_discard_releases_the_key_without_applying(service_client, broker, tokens):
    n = names()
    applied: Counter[str] = Counter()

    async def handle(session, event) -> None:
        widget = event.data["widget_id"]
        if widget == "poison":
            raise ValueError("cannot apply poison")
        applied[widget] += 1

    async with (
        service_client(
            "ops",
            bootstrap=broker.bootstrap,
            run_consumers=True,
            monitored_topics=[n["topic"]],
            dead_letter_topics=[n["dlq"]],
            dead_letter_group=n["dlq_group"],
            lag_groups=[],
        ) as client,
        origin_consumer(client, n, handle) as runner,
    ):
        await ensure_topics(client.runtime.settings.platform, [n["topic"], n["dlq"]])
        await produce(broker.bootstrap, n["topic"], [cloud_event("poison", key="k2")])
        ops, support = tokens.headers("ops"), tokens.headers("support")

        async def one_dead_letter():
            return (await client.get("/v1/dead-letters", headers=ops)).json()["items"]

        [poison] = await eventually(one_dead_letter)
        missing = await client.post(
            f"/v1/dead-letters/{poison['id']}/discard", json={}, headers=support
        )
        assert missing.status_code == 422, "a discard needs a reason"
        assert (
            await client.post(
                "/v1/dead-letters/999999/discard", json={"reason": "gone"}, headers=support
            )
        ).status_code == 404
        discarded = await client.post(
            f"/v1/dead-letters/{poison['id']}/discard",
            json={"reason": "duplicate of a manual fix"},
            headers=support,
        )
        assert discarded.status_code == 200 and discarded.json()["state"] == "discarded"
        assert (
            await client.post(
                f"/v1/dead-letters/{poison['id']}/replay",
                json={"reason": "changed my mind"},
                headers=support,
            )
        ).status_code == 409
        await produce(broker.bootstrap, n["topic"], [cloud_event("later", key="k2")])

        async def later_applied():
            return applied["later"] == 1

        await eventually(later_applied)
        assert applied["poison"] == 0
        assert runner.dead_lettered == 1, "the event after the discard was parked"
