"""Measuring: what the outboxes hold, what the broker delivers, what consumers applied.

- *written*: every outbox row of every service; *published*: rows marked sent.
- *delivered*: every record on the services' topics, read from the beginning by an
  auditor consumer of our own (assign mode, no group); *duplicates delivered*: records
  whose event id was already seen.
- *lost*: an outbox event never delivered, or an event a consumer handles that is not in
  its inbox.
- *duplicates applied*: effects applied twice, seen in domain state (a project space or
  an activation event per project, more than once).
- *order violations*: per (topic, key), first deliveries out of outbox order; per
  (consumer, key), inbox rows applied out of outbox order.
"""

from __future__ import annotations

import asyncio
import importlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


@dataclass(frozen=True)
class OutboxRow:
    service: str
    id: int
    event_id: str
    topic: str
    key: str | None
    type: str
    subject: str | None
    sent: bool


@dataclass(frozen=True)
class Consumer:
    service: str
    topics: frozenset[str]
    types: frozenset[str]


def consumer_of(service: str) -> Consumer | None:
    handlers = importlib.import_module(f"srs_{service}.handlers")
    if not handlers.HANDLERS:
        return None
    return Consumer(service, frozenset(handlers.CONSUMED_TOPICS), frozenset(handlers.HANDLERS))


class Databases:
    """Read-only views of every service database, from the test process."""

    def __init__(self, urls: dict[str, str]) -> None:
        self.urls = urls
        self.engines: dict[str, AsyncEngine] = {
            s: create_async_engine(u, pool_pre_ping=True) for s, u in urls.items()
        }
        self.consumers = [c for s in urls if (c := consumer_of(s)) is not None]

    async def dispose(self) -> None:
        for engine in self.engines.values():
            await engine.dispose()

    async def rows(self, service: str, sql: str) -> list[Any]:
        async with self.engines[service].connect() as conn:
            return list((await conn.execute(text(sql))).all())

    async def outbox(self) -> list[OutboxRow]:
        found = []
        for service in self.urls:
            for r in await self.rows(
                service,
                "SELECT id, event_id, topic, key, type, subject, "
                "sent_at IS NOT NULL FROM outbox_event",
            ):
                found.append(OutboxRow(service, r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])))
        return found

    async def inbox(self, service: str) -> list[tuple[str, Any]]:
        return [
            (r[0], r[1])
            for r in await self.rows(
                service,
                f"SELECT event_id, processed_at FROM inbox_event WHERE consumer = '{service}'",
            )
        ]

    async def high_marks(self) -> dict[str, int]:
        return {
            s: int((await self.rows(s, "SELECT COALESCE(MAX(id), 0) FROM outbox_event"))[0][0])
            for s in self.urls
        }

    async def drained(self, marks: dict[str, int]) -> bool:
        """Everything written up to ``marks`` is published and applied by its consumers."""
        outbox = [r for r in await self.outbox() if r.id <= marks.get(r.service, 0)]
        if any(not r.sent for r in outbox):
            return False
        for consumer in self.consumers:
            wanted = {
                r.event_id
                for r in outbox
                if r.topic in consumer.topics and r.type in consumer.types
            }
            if wanted - {e for e, _ in await self.inbox(consumer.service)}:
                return False
        return True

    async def wait_drained(self, marks: dict[str, int], timeout: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            try:
                if await self.drained(marks):
                    return True
            except Exception:  # noqa: BLE001 - the database may be restarting
                pass
            await asyncio.sleep(0.25)
        return False


@dataclass
class Delivered:
    records: list[tuple[str, int, int, str | None, str]] = field(default_factory=list)
    dead_letters: int = 0


async def read_topics(
    bootstrap: str,
    topics: list[str],
    dlq_topics: list[str],
    expected: set[str],
    timeout: float = 60.0,
) -> Delivered:
    """Read every partition of ``topics`` from the beginning until every expected event
    id has been seen and two polls in a row bring nothing new."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        fetch_max_wait_ms=50,
        request_timeout_ms=15000,
    )
    await consumer.start()
    delivered = Delivered()
    try:
        partitions = []
        for topic in [*topics, *dlq_topics]:
            for p in consumer.partitions_for_topic(topic) or await _partitions(consumer, topic):
                partitions.append(TopicPartition(topic, p))
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        seen: set[str] = set()
        quiet = 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            batches = await consumer.getmany(timeout_ms=500, max_records=5000)
            if not batches:
                quiet += 1
                if quiet >= 2 and expected <= seen:
                    break
                continue
            quiet = 0
            for tp, records in batches.items():
                for record in records:
                    if tp.topic in dlq_topics:
                        delivered.dead_letters += 1
                        continue
                    event_id = dict(record.headers or ()).get("ce_id", b"").decode()
                    seen.add(event_id)
                    key = record.key.decode() if record.key else None
                    delivered.records.append((tp.topic, tp.partition, record.offset, key, event_id))
    finally:
        await asyncio.wait_for(consumer.stop(), 10)
    return delivered


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    await consumer._client.force_metadata_update()  # noqa: SLF001 - no public refresh
    return consumer.partitions_for_topic(topic) or set()


@dataclass
class Figures:
    operations: int = 0
    written: int = 0
    published: int = 0
    delivered: int = 0
    duplicates_delivered: int = 0
    applied: int = 0
    duplicates_applied: int = 0
    lost: int = 0
    order_violations: int = 0
    dead_letters: int = 0
    state_mismatches: int = 0
    details: list[str] = field(default_factory=list)

    MUST_BE_ZERO = ("duplicates_applied", "lost", "order_violations", "state_mismatches")


async def measure(dbs: Databases, delivered: Delivered, operations: int) -> Figures:
    outbox = await dbs.outbox()
    by_event = {r.event_id: r for r in outbox}
    figures = Figures(
        operations=operations,
        written=len(outbox),
        published=sum(r.sent for r in outbox),
        delivered=len(delivered.records),
        dead_letters=delivered.dead_letters,
    )

    # Delivery: duplicates, losses and per-key order of first deliveries.
    counts = Counter(event_id for *_, event_id in delivered.records)
    figures.duplicates_delivered = sum(n - 1 for n in counts.values())
    never = [r for r in outbox if r.event_id not in counts]
    figures.lost += len(never)
    figures.details += [f"never delivered: {r.service} {r.type} {r.event_id}" for r in never[:5]]
    last: dict[tuple[str, str | None], int] = {}
    first_seen: set[str] = set()
    for topic, partition, offset, key, event_id in sorted(delivered.records):
        if event_id in first_seen or event_id not in by_event:
            continue
        first_seen.add(event_id)
        position = by_event[event_id].id
        if key is not None and last.get((topic, key), -1) > position:
            figures.order_violations += 1
            figures.details.append(
                f"delivered out of order: {topic} key {key} {partition}@{offset}"
            )
        last[(topic, key)] = max(position, last.get((topic, key), -1))

    # Application: every handled event in the inbox once, in per-key order.
    for consumer in dbs.consumers:
        inbox = await dbs.inbox(consumer.service)
        figures.applied += len(inbox)
        applied = {e for e, _ in inbox}
        wanted = [r for r in outbox if r.topic in consumer.topics and r.type in consumer.types]
        missing = [r for r in wanted if r.event_id not in applied]
        figures.lost += len(missing)
        figures.details += [
            f"never applied by {consumer.service}: {r.type} {r.event_id}" for r in missing[:5]
        ]
        # Order is promised per key within one topic (one source's outbox), not across.
        keyed = sorted(
            (processed_at, by_event[e].id, by_event[e].topic, by_event[e].key)
            for e, processed_at in inbox
            if e in by_event
        )
        newest: dict[tuple[str, str | None], int] = {}
        for _, position, topic, key in keyed:
            if key is not None and newest.get((topic, key), -1) > position:
                figures.order_violations += 1
                figures.details.append(
                    f"{consumer.service} applied out of order: {topic} key {key}"
                )
            newest[(topic, key)] = max(position, newest.get((topic, key), -1))

    # Duplicates applied, from domain state: one space and one activation per project.
    for service, event_type in (
        ("access", "srs.project_space.provisioned.v1"),
        ("projects", "srs.project.activated.v1"),
    ):
        per_subject = Counter(
            r.subject for r in outbox if r.service == service and r.type == event_type
        )
        twice = {s: n for s, n in per_subject.items() if n > 1}
        figures.duplicates_applied += sum(n - 1 for n in twice.values())
        figures.details += [f"{event_type} {n} times for {s}" for s, n in list(twice.items())[:5]]
    spaces = await dbs.rows(
        "access",
        "SELECT project_id, COUNT(*) FROM project_space GROUP BY project_id HAVING COUNT(*) > 1",
    )
    figures.duplicates_applied += sum(int(n) - 1 for _, n in spaces)
    return figures


async def state_mismatches(
    dbs: Databases, projects: list[str], bookings: list[str], member_requests: list[str]
) -> list[str]:
    """Domain state the events should have produced: every approved project active with
    a space, the projects service's view of each accreditation equal to the accreditation
    service's; every member request of the workload approved, its member (active once
    approved) removed again with one ``project.member_removed``; and every booking of the
    workload cancelled."""
    problems = []
    requests = {
        r[0]: (r[1], r[2], r[3])
        for r in await dbs.rows(
            "projects", "SELECT id, project_id, researcher_id, status FROM member_request"
        )
    }
    members = {
        (r[0], r[1])
        for r in await dbs.rows("projects", "SELECT project_id, researcher_id FROM project_member")
    }
    removals = Counter(
        r.subject
        for r in await dbs.outbox()
        if r.service == "projects" and r.type == "srs.project.member_removed.v1"
    )
    for request_id in member_requests:
        if request_id not in requests:
            problems.append(f"member request {request_id} not found")
            continue
        project_id, researcher_id, request_status = requests[request_id]
        if request_status != "approved":
            problems.append(f"member request {request_id} is {request_status}, not approved")
        if (project_id, researcher_id) in members:
            problems.append(f"{researcher_id} is still a member of {project_id}")
    # Each team's member joined and was removed: one removal published per project.
    problems += [
        f"project {p}: {removals[p]} member_removed events, not 1"
        for p in projects
        if removals[p] != 1
    ]
    booking_status = dict(await dbs.rows("booking", "SELECT id, status FROM booking"))
    problems += [
        f"booking {b} is {booking_status.get(b)}"
        for b in bookings
        if booking_status.get(b) != "cancelled"
    ]
    status = dict(await dbs.rows("projects", "SELECT id, status FROM project"))
    spaces = {r[0] for r in await dbs.rows("access", "SELECT project_id FROM project_space")}
    for project_id in projects:
        if status.get(project_id) != "active":
            problems.append(f"project {project_id} is {status.get(project_id)}, not active")
        if project_id not in spaces:
            problems.append(f"project {project_id} has no space")
    # Projects keeps every accreditation a researcher holds, one row per accreditation.
    truth = {
        (r[0], r[1]): r[2]
        for r in await dbs.rows(
            "accreditation", "SELECT researcher_id, id, status FROM accreditation"
        )
    }
    seen = {
        (r[0], r[1]): r[2]
        for r in await dbs.rows(
            "projects", "SELECT researcher_id, accreditation_id, status FROM held_accreditation"
        )
    }
    for (researcher_id, accreditation_id), accreditation_status in truth.items():
        if seen.get((researcher_id, accreditation_id)) != accreditation_status:
            problems.append(
                f"{researcher_id} {accreditation_id}: accreditation says "
                f"{accreditation_status}, projects believes "
                f"{seen.get((researcher_id, accreditation_id))}"
            )
    return problems
