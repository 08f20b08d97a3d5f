"""Faults injected while a cross-service workload runs; nothing lost, nothing applied
twice, no per-key reordering. Prints the figures (run with ``-s``).

Short schedule (CI, ``-m reliability``): one 10 s broker cut, a relay SIGKILLed between
publishing and marking sent, a consumer SIGKILLed mid-batch, connections dropped
mid-stream, and on PostgreSQL the service databases away for 2 s; two relay and two
worker replicas of the projects service throughout.
Full schedule (``-m reliability_full``): >= 2,000 operations; the broker unreachable for
10 s three times (cut, stall, drop then cut), the relay kill, three consumer kills, and
the PostgreSQL cluster restarted once (skipped on SQLite: nothing to restart).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from srs_common.testing import database_url_for, ensure_postgres_database

from .audit import Databases, Figures, measure, read_topics, state_mismatches
from .faultstack import FaultStack, databases_away
from .workload import OPS_PER_TEAM, Workload

SERVICES = ("access", "accreditation", "projects", "booking")
# projects: two relays and two workers, each its own process; the others one process each.
LAYOUT = {"access": (0, 0), "accreditation": (0, 0), "projects": (2, 2), "booking": (0, 0)}
TOPICS = ["srs.accreditation", "srs.projects", "srs.access", "srs.booking"]
DLQ_TOPICS = [f"srs.dlq.{s}" for s in SERVICES]
OUTAGE_SECONDS = 10.0
RECOVERY_TIMEOUT = 90.0  # per fault; the test fails if the platform has not recovered


@dataclass
class Context:
    stack: FaultStack
    dbs: Databases
    workload: Workload
    notes: list[str] = field(default_factory=list)
    # When the fault itself ended (a kill is over when the process is dead; starting it
    # again is part of the recovery); recovery time counts from here.
    cleared_at: float = 0.0
    marks: dict[str, int] = field(default_factory=dict)

    async def cleared(self) -> None:
        self.cleared_at = time.monotonic()
        self.marks = await self.dbs.high_marks()

    async def off_loop(self, call: Callable[..., object], *args: object) -> object:
        return await asyncio.to_thread(call, *args)


Fault = Callable[[Context], Awaitable[str]]


# -- faults: each returns a description once the fault is over -------------------------------
def broker_outage(mode: str) -> Fault:
    async def fault(ctx: Context) -> str:
        proxy = ctx.stack.proxy
        assert proxy is not None
        if mode == "stall":
            await ctx.off_loop(proxy.stall)
        elif mode == "drop+cut":
            await ctx.off_loop(proxy.drop)
            await asyncio.sleep(1)
            await ctx.off_loop(proxy.cut)
        else:
            await ctx.off_loop(proxy.cut)
        await asyncio.sleep(OUTAGE_SECONDS)
        await ctx.off_loop(proxy.restore)
        await ctx.cleared()
        return f"broker unreachable {OUTAGE_SECONDS:.0f} s ({mode})"

    return fault


async def drops_mid_stream(ctx: Context) -> str:
    proxy = ctx.stack.proxy
    assert proxy is not None
    for _ in range(3):
        await ctx.off_loop(proxy.drop)
        await asyncio.sleep(0.7)
    await ctx.cleared()
    return "connections reset mid-stream x3"


async def relay_killed_before_marking(ctx: Context) -> str:
    """Hold the broker's produce acknowledgements back so the active relay has published
    and not marked sent, then SIGKILL it; the standby replica takes the lease and
    republishes (duplicates delivered, none applied)."""
    stack, proxy = ctx.stack, ctx.stack.proxy
    assert proxy is not None
    relays = stack.of_kind("projects", "relay")
    active = await _active_relay(ctx, relays)
    await ctx.off_loop(proxy.hold_produce_acks, "srs.projects")
    try:
        # Wait until a produce has gone out with rows still unmarked.
        await _until(lambda: _held(ctx), timeout=30)
        await asyncio.sleep(0.5)
        pending = await _backlog(ctx, active)
        await ctx.off_loop(stack.kill, active)
    finally:
        await ctx.off_loop(proxy.restore)
    await ctx.cleared()
    await ctx.off_loop(stack.restart, active)
    return f"relay {active} SIGKILLed, a published batch unacknowledged ({pending} rows unmarked)"


async def consumer_killed_mid_batch(ctx: Context) -> str:
    """SIGKILL a projects worker while it is applying records (its processed count is
    moving), then start it again."""
    stack = ctx.stack
    workers = stack.of_kind("projects", "worker")
    before = {w: await _processed(ctx, w) for w in workers}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    victim = workers[0]
    while loop.time() < deadline:
        now = {w: await _processed(ctx, w) for w in workers}
        moving = [w for w in workers if now[w] > before[w]]
        if moving:
            victim = moving[0]
            break
        before = now
        await asyncio.sleep(0.03)
    else:
        ctx.notes.append("consumer kill: no worker was processing within 30 s; killed one idle")
    await ctx.off_loop(stack.kill, victim)
    await ctx.cleared()
    await ctx.off_loop(stack.restart, victim)
    return f"consumer {victim} SIGKILLed mid-batch"


async def database_restart(ctx: Context) -> str:
    cluster = os.listdir("/etc/postgresql")[0]
    await ctx.off_loop(
        lambda: subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"],
            check=True,
            capture_output=True,
            timeout=60,
        )
    )
    await _until(lambda: _database_answers(ctx), timeout=60)
    await ctx.cleared()
    return "PostgreSQL cluster restarted"


async def databases_away_briefly(ctx: Context) -> str:
    """The service databases refuse and drop connections for 2 s (only this test's
    databases: the PostgreSQL server is shared, so the short schedule never restarts it)."""
    async with databases_away(list(ctx.dbs.urls.values())):
        await asyncio.sleep(2.0)
    await ctx.cleared()
    return "service databases away 2 s (connections refused and dropped)"


async def _database_answers(ctx: Context) -> bool:
    try:
        await ctx.dbs.high_marks()
    except Exception:  # noqa: BLE001 - still starting
        return False
    return True


async def _active_relay(ctx: Context, relays: list[str]) -> str:
    async def find() -> str | None:
        for name in relays:
            state = await ctx.off_loop(ctx.stack.messaging, name)
            if isinstance(state, dict) and (state.get("relay") or {}).get("active"):
                return name
        return None

    return await _until(find, timeout=20)


async def _held(ctx: Context) -> bool:
    assert ctx.stack.proxy is not None
    return ctx.stack.proxy.held_connections > 0


async def _backlog(ctx: Context, name: str) -> int:
    state = await ctx.off_loop(ctx.stack.messaging, name)
    return int(state["outbox_backlog"]) if isinstance(state, dict) else 0


async def _processed(ctx: Context, name: str) -> int:
    state = await ctx.off_loop(ctx.stack.messaging, name)
    if isinstance(state, dict) and state.get("consumer"):
        return int(state["consumer"]["processed"])
    return 0


async def _until(check: Callable[[], Awaitable[object]], timeout: float) -> object:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await check()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.05)


# -- the schedule --------------------------------------------------------------------------
@dataclass
class Schedule:
    name: str
    teams: int
    # (fraction of the workload committed when the fault starts, fault)
    faults: list[tuple[float, Fault]]


async def run_schedule(schedule: Schedule, var_dir: Path) -> None:
    urls = {}
    for service in SERVICES:
        url = database_url_for(service, var_dir, suffix="_rel")
        if url.startswith("postgresql"):
            ensure_postgres_database(url, recreate=True)
        urls[service] = url
    started = time.monotonic()
    stack = FaultStack(var_dir=var_dir, database_urls=urls, layout=LAYOUT)
    await asyncio.to_thread(stack.start)
    dbs = Databases(urls)
    driving: asyncio.Task[None] | None = None
    try:
        workload = Workload(stack, teams=schedule.teams)
        ctx = Context(stack, dbs, workload)
        faults_pending = asyncio.Event()
        faults_pending.set()
        driving = asyncio.create_task(workload.run(keep_going=faults_pending))
        recoveries: list[tuple[str, float | None]] = []
        for fraction, fault in schedule.faults:
            await _until(_reached(workload, fraction), timeout=300)
            description = await fault(ctx)
            if workload.finished_at:
                description += " (workload already over)"
            recovered = await _recovered(ctx)
            recoveries.append(
                (description, time.monotonic() - ctx.cleared_at if recovered else None)
            )
        faults_pending.clear()
        await asyncio.wait_for(driving, timeout=600)

        drained = await dbs.wait_drained(await dbs.high_marks(), RECOVERY_TIMEOUT)
        outbox = await dbs.outbox()
        delivered = await read_topics(
            f"127.0.0.1:{stack.proxy.port}", TOPICS, DLQ_TOPICS, {r.event_id for r in outbox}
        )
        figures = await measure(dbs, delivered, workload.committed)
        mismatches = await state_mismatches(
            dbs, workload.projects, workload.bookings, workload.member_requests
        )
        figures.state_mismatches = len(mismatches)
        figures.details += mismatches[:10]
        report(
            schedule, figures, recoveries, workload, ctx.notes, time.monotonic() - started, drained
        )
    finally:
        if driving is not None and not driving.done():
            driving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await driving
        await dbs.dispose()
        await asyncio.to_thread(stack.stop)
    assert not workload.errors, workload.errors[:5]
    assert drained, "the platform did not drain after the last fault"
    assert workload.committed >= schedule.teams * OPS_PER_TEAM
    assert all(seconds is not None for _, seconds in recoveries), recoveries
    for name in Figures.MUST_BE_ZERO:
        assert getattr(figures, name) == 0, (name, figures.details[:20])


async def _recovered(ctx: Context) -> bool:
    """Recovered: everything written before the fault ended is delivered and applied,
    and so is the first event written after it (the flow runs again, end to end)."""
    dbs = ctx.dbs
    if not await dbs.wait_drained(ctx.marks, RECOVERY_TIMEOUT):
        return False

    async def fresh() -> dict[str, int] | None:
        marks = await dbs.high_marks()
        return marks if any(marks[s] > ctx.marks[s] for s in marks) else None

    if ctx.workload.finished_at:
        return True
    try:
        later = await _until(fresh, timeout=30)
    except AssertionError:
        return True  # nothing written any more: nothing more to wait for
    return await dbs.wait_drained(later, RECOVERY_TIMEOUT)  # type: ignore[arg-type]


def _reached(workload: Workload, fraction: float) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return workload.committed >= fraction * workload.total

    return check


def report(
    schedule: Schedule,
    figures: Figures,
    recoveries: list[tuple[str, float | None]],
    workload: Workload,
    notes: list[str],
    elapsed: float,
    drained: bool,
) -> None:
    database = "PostgreSQL" if os.environ.get("TEST_DATABASE_URL") else "SQLite"
    ops_seconds = workload.finished_at - workload.started_at
    rows = [
        (
            "operations committed",
            f"{figures.operations} ({workload.teams_run} teams, "
            f"{figures.operations / ops_seconds:.0f}/s,"
            f" {workload.retried} retries)",
        ),
        ("operations failed (must be 0)", len(workload.errors)),
        ("events written to outboxes", figures.written),
        ("published (marked sent)", figures.published),
        ("delivered (records on topics)", figures.delivered),
        ("duplicates delivered", figures.duplicates_delivered),
        ("applied (inbox rows)", figures.applied),
        ("duplicates applied (must be 0)", figures.duplicates_applied),
        ("lost (must be 0)", figures.lost),
        ("per-key order violations (must be 0)", figures.order_violations),
        ("state mismatches (must be 0)", figures.state_mismatches),
        ("dead letters", figures.dead_letters),
    ]
    rows += [
        (f"recovery after: {d}", "NOT RECOVERED" if s is None else f"{s:.1f} s")
        for d, s in recoveries
    ]
    width = max(len(r[0]) for r in rows)
    print(
        f"\n=== reliability: {schedule.name} schedule on {database}, "
        f"{elapsed:.0f} s in all, drained: {drained} ==="
    )
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    for note in notes + workload.errors[:5] + figures.details[:20]:
        print(f"  note: {note}")


def short_schedule() -> Schedule:
    faults: list[tuple[float, Fault]] = [
        (0.15, broker_outage("cut")),
        (0.40, relay_killed_before_marking),
        (0.55, consumer_killed_mid_batch),
        (0.70, drops_mid_stream),
    ]
    if os.environ.get("TEST_DATABASE_URL"):
        faults.append((0.80, databases_away_briefly))
    else:
        print("\ndatabase outage skipped: SQLite has no server to take away")
    return Schedule("short", teams=30, faults=faults)


def full_schedule() -> Schedule:
    faults: list[tuple[float, Fault]] = [
        (0.08, broker_outage("cut")),
        (0.16, consumer_killed_mid_batch),
        (0.26, broker_outage("stall")),
        (0.34, consumer_killed_mid_batch),
        (0.44, relay_killed_before_marking),
        (0.54, broker_outage("drop+cut")),
        (0.62, consumer_killed_mid_batch),
    ]
    if os.environ.get("TEST_DATABASE_URL"):
        faults.append((0.75, database_restart))
    else:
        print("\ndatabase restart skipped: SQLite has no server to restart")
    return Schedule("full", teams=130, faults=faults)


@pytest.mark.reliability
@pytest.mark.timeout(600)
async def test_short_fault_schedule(var_dir: Path) -> None:
    await run_schedule(short_schedule(), var_dir)


@pytest.mark.reliability_full
@pytest.mark.timeout(900)
async def test_full_fault_schedule(var_dir: Path) -> None:
    await run_schedule(full_schedule(), var_dir)
