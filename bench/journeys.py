"""Rows that need a real journey first: accredited researchers, an active project, signed
declarations, bookings. Everything is set up over HTTP against the running stack, so the
measured paths do their real lookups."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import json
import statistics
import subprocess
import threading
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from harness import Load, Profile, Row, measure, rss_mb, wrk

from srs_common.events.bus import ensure_topics

APPLICATION = {
    "title": "Burglary security effectiveness in England and Wales",
    "organisation_id": "org-ntu",
    "legal_gateway": "DEA",
    "dataset_ids": ["ds-csew-2019", "ds-ashe-2021"],
    "lay_summary": "Which home security measures protect households against burglary.",
    "public_benefit": "Evidence for crime prevention advice to the public and police.",
    "expected_start_date": "2027-01-04",
    "expected_end_date": "2027-06-30",
    "ethics_confirmed": True,
    "data_source_acknowledged": True,
}
ALICE = "res-alice"
#: The booking horizon the bench sets (the most the service allows): room for distinct slots.
HORIZON_DAYS = 366
#: Weekday places: (site, place, local opening hours). One researcher per place, so a
#: distinct (place, hour) is also a distinct (researcher, hour).
PLACES = (
    [("titchfield", f"T{i}", range(9, 16)) for i in range(1, 9)]
    + [("newport", f"T{i}", range(9, 16)) for i in range(1, 7)]
    + [("safepod-ntu", "POD", range(8, 18))]
)


def _wait(predicate, timeout: float = 60, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise RuntimeError(f"condition not met within {timeout}s: {predicate.__doc__}")


def _project(ctx, client: httpx.Client, members: list[str]) -> str:
    """Alice drafts a project naming ``members``; the panel approves; wait until active."""
    from rows import _headers

    base = ctx.stack.url("projects")
    alice = _headers(ctx, "researcher", sub=ALICE, researcher_id=ALICE)
    panel = _headers(ctx, "panel", sub="bench-panel")

    def drafted():
        """projects knows alice's accreditation"""
        r = client.post(f"{base}/v1/projects", headers=alice, json=APPLICATION)
        return r.json()["id"] if r.status_code == 201 else None

    project_id = _wait(drafted)
    for researcher_id in members:

        def added(researcher_id=researcher_id):
            """projects knows the member's accreditation"""
            r = client.post(
                f"{base}/v1/projects/{project_id}/members",
                headers=alice,
                json={"researcher_id": researcher_id, "role": "researcher"},
            )
            assert r.status_code in (201, 422), r.text
            return r.status_code == 201

        _wait(added)
    client.post(f"{base}/v1/projects/{project_id}/submit", headers=alice).raise_for_status()
    client.post(f"{base}/v1/projects/{project_id}/review", headers=panel).raise_for_status()
    client.post(
        f"{base}/v1/projects/{project_id}/approve", headers=panel, json={"reason": "bench"}
    ).raise_for_status()

    def active():
        """the project is active"""
        return (
            client.get(f"{base}/v1/projects/{project_id}", headers=alice).json()["status"]
            == "active"
        )

    _wait(active)
    return project_id


# -- access decision ---------------------------------------------------------------------


def access_decision(ctx) -> Row:
    """POST /v1/access-decisions (support token, every decision audited and published) vs
    the bare hello world."""
    from rows import _headers

    with httpx.Client(timeout=30) as client:
        project_id = _project(ctx, client, [])
        body = {
            "researcher_id": ALICE,
            "project_id": project_id,
            "setting": "safe_room",
            "country": "GB",
            "site_id": "titchfield",
        }
        url = f"{ctx.stack.url('access')}/v1/access-decisions"
        headers = {
            **_headers(ctx, "support", sub="bench-gateway"),
            "Content-Type": "application/json",
        }

        def provisioned():
            """access knows the project is active"""
            r = client.post(url, headers=headers, json=body)
            assert r.status_code == 201, r.text
            codes = {x["code"] for x in r.json()["reasons"]}
            return "project_not_active" not in codes and "not_active_member" not in codes

        _wait(provisioned)
        sample = client.post(url, headers=headers, json=body).json()
    ctx.journeys["access_decision"] = {"url": url, "body": body}
    hello = ctx.fresh("hello")
    load = measure(url, ctx.profile, method="POST", body=json.dumps(body), headers=headers)
    ratio, p99_ratio = load.rps / hello.rps, load.p99_ms / hello.p99_ms
    return Row(
        "access decision",
        "POST /v1/access-decisions, audited + published",
        "hello world",
        value=f"{load.rps:,.0f} req/s (p99 {load.p99_ms:.0f} ms)",
        base_value=f"{hello.rps:,.0f} req/s (p99 {hello.p99_ms:.0f} ms)",
        ratio=f"{100 * ratio:.0f} %; p99 {p99_ratio:.1f}x",
        target=">= 40 %; p99 <= 4x",
        met=ratio >= 0.4 and p99_ratio <= 4,
        note=f"decision {sample['decision']} {[r['code'] for r in sample['reasons']]}",
    )


# -- booking write and availability ------------------------------------------------------


def _booking_days(horizon_days: int) -> list[tuple[str, int]]:
    """Weekdays from the day after tomorrow to the booking horizon that are not bank
    holidays, with London's UTC offset in hours that day."""
    from srs_booking.domain import bank_holiday

    london = ZoneInfo("Europe/London")
    day = dt.date.today() + dt.timedelta(days=2)
    days, last = [], dt.date.today() + dt.timedelta(days=horizon_days - 2)
    while day <= last:
        if day.weekday() < 5 and bank_holiday(day) is None:
            noon = dt.datetime.combine(day, dt.time(12), tzinfo=london)
            days.append((day.isoformat(), int(noon.utcoffset().total_seconds() // 3600)))
        day += dt.timedelta(days=1)
    return days


_BOOKING_LUA = """
local days = {%(days)s}
local combos = {%(combos)s}
local tokens = {%(tokens)s}
local project = "%(project)s"
local offset = %(offset)d
local threads = {}
local counter = 1

function setup(thread)
  thread:set("tid", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  n = tid - 1
  step = #threads_count_placeholder
end

function request()
  local i = offset + n
  n = n + %(threads)d
  local day = days[math.floor(i / #combos) + 1]
  local c = combos[(i %% #combos) + 1]
  local h = c[3] - day[2]
  local body = string.format(
    '{"project_id":"%%s","site_id":"%%s","place":"%%s",' ..
    '"starts_at":"%%sT%%02d:00:00Z","ends_at":"%%sT%%02d:00:00Z"}',
    project, c[1], c[2], day[1], h, day[1], h + 1)
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = "Bearer " .. tokens[c[4]]
  return wrk.format("POST", "/v1/bookings", headers, body)
end
"""


def _booking_lua(days, tokens, project_id: str, offset: int, threads: int) -> str:
    combos = [
        (site, place, hour, index + 1)
        for index, (site, place, hours) in enumerate(PLACES)
        for hour in hours
    ]
    script = _BOOKING_LUA % {
        "days": ",".join(f'{{"{d}",{o}}}' for d, o in days),
        "combos": ",".join(f'{{"{s}","{p}",{h},{t}}}' for s, p, h, t in combos),
        "tokens": ",".join(f'"{t}"' for t in tokens),
        "project": project_id,
        "offset": offset,
        "threads": threads,
    }
    return script.replace("  step = #threads_count_placeholder\n", "")


def booking_rows(ctx) -> list[Row]:
    """Booking write (each request a new valid booking) vs the bare ORM insert; then the
    availability of a site over a week vs the bare primary-key SELECT."""
    from rows import _accredit

    from srs_common.tokens import issue_token

    researchers = [f"res-book-{i:02d}" for i in range(len(PLACES))]
    booking = ctx.stack.url("booking")
    with httpx.Client(timeout=30) as client:
        for i, researcher_id in enumerate(researchers):
            _accredit(ctx, client, researcher_id, f"Booking Researcher {i:02d}")
        project_id = _project(ctx, client, researchers)
        tokens = [
            issue_token(
                ctx.key,
                sub=r,
                roles=["researcher"],
                issuer="srs-access",
                audience="srs",
                researcher_id=r,
            )
            for r in researchers
        ]
        for token in tokens:
            client.post(
                f"{booking}/v1/declarations",
                json={"version": "2026.1"},
                headers={"Authorization": f"Bearer {token}"},
            ).raise_for_status()
        combos = sum(len(h) for _, _, h in PLACES)
        days = _booking_days(HORIZON_DAYS)
        first_day = days[0][0]
        day, offset_h = days[0]
        probe = {
            "project_id": project_id,
            "site_id": "safepod-bristol",
            "place": "POD",
            "starts_at": f"{_saturday(day)}T{9 - _offset(_saturday(day)):02d}:00:00Z",
            "ends_at": f"{_saturday(day)}T{10 - _offset(_saturday(day)):02d}:00:00Z",
        }

        def eligible():
            """booking's read models know the project, its members and the datasets"""
            r = client.post(
                f"{booking}/v1/bookings",
                json=probe,
                headers={"Authorization": f"Bearer {tokens[0]}"},
            )
            assert r.status_code in (201, 422), r.text
            return r.status_code == 201

        _wait(eligible)

    ctx.journeys["booking"] = {"project_id": project_id, "researchers": researchers}
    p = ctx.profile
    ctx.fresh("insert")
    offset, loads = 0, []
    for run in range(1 + p.rounds):
        script = _booking_lua(days, tokens, project_id, offset, p.threads)
        load = wrk(
            f"{booking}/v1/bookings",
            p,
            lua=script,
            duration_s=p.warmup_s if run == 0 else p.duration_s,
        )
        # Every request made (finished or not) used an index: skip past them all.
        offset += load.requests + 4 * p.connections
        offset += (-offset) % p.threads
        if offset >= len(days) * combos:
            raise RuntimeError("ran out of distinct booking slots; add days")
        if run:
            loads.append(load)
    write = Load(
        statistics.median(x.rps for x in loads),
        statistics.median(x.p50_ms for x in loads),
        statistics.median(x.p99_ms for x in loads),
    )
    ratio = write.rps / ctx.insert.rps
    rows = [
        Row(
            "booking write",
            "POST /v1/bookings, each a new valid booking",
            "ORM insert+commit",
            value=f"{write.rps:,.0f} req/s (p99 {write.p99_ms:.0f} ms)",
            base_value=f"{ctx.insert.rps:,.0f} req/s",
            ratio=f"{100 * ratio:.0f} %",
            target=">= 70 %",
            met=ratio >= 0.7,
            note=f"{offset:,} bookings over {len(PLACES)} researchers",
        )
    ]

    first = dt.date.fromisoformat(first_day)
    url = (
        f"{booking}/v1/availability?site_id=titchfield&from={first}"
        f"&to={first + dt.timedelta(days=6)}"
    )
    headers = {"Authorization": f"Bearer {tokens[0]}"}
    assert httpx.get(url, headers=headers).status_code == 200
    ctx.fresh("select")
    read = measure(url, p, headers=headers)
    ratio = read.rps / ctx.select.rps
    rows.append(
        Row(
            "availability read",
            "free places, one site over a week",
            "bare PK SELECT",
            value=f"{read.rps:,.0f} req/s (p99 {read.p99_ms:.0f} ms)",
            base_value=f"{ctx.select.rps:,.0f} req/s",
            ratio=f"{100 * ratio:.0f} %",
            target=">= 70 %",
            met=ratio >= 0.7,
        )
    )
    return rows


def _saturday(day: str) -> str:
    d = dt.date.fromisoformat(day)
    d += dt.timedelta(days=(5 - d.weekday()) % 7)
    from srs_booking.domain import bank_holiday

    while bank_holiday(d) is not None:
        d += dt.timedelta(days=7)
    return d.isoformat()


def _offset(day: str) -> int:
    noon = dt.datetime.combine(
        dt.date.fromisoformat(day), dt.time(12), tzinfo=ZoneInfo("Europe/London")
    )
    return int(noon.utcoffset().total_seconds() // 3600)


# -- saga latency ------------------------------------------------------------------------


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


async def saga_latency(ctx) -> Row:
    """Panel approval -> project space provisioned -> project active, at a steady rate;
    latency from the approve request to the ce_time of srs.project.activated.v1, vs raw
    aiokafka produce -> consume with the same consumer settings."""
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
        finally:
            await asyncio.wait_for(consumer.stop(), 10)
    if len(activated) < count:
        raise RuntimeError(f"only {len(activated)} of {count} projects activated")
    saga = [(activated[x] - sent[x]) * 1000 for x in project_ids]
    seen = [(received[x] - sent[x]) * 1000 for x in project_ids]
    raw = await _raw_latency(bootstrap, p)
    p50, p99, raw99 = _pct(saga, 0.5), _pct(saga, 0.99), _pct(raw, 0.99)
    return Row(
        "saga latency",
        f"approve -> provisioned -> active, {p.saga_rate}/s for {p.saga_seconds} s",
        "raw aiokafka produce->consume",
        value=f"p50 {p50:.0f} ms, p99 {p99:.0f} ms",
        base_value=f"p50 {_pct(raw, 0.5):.0f} ms, p99 {raw99:.0f} ms",
        ratio=f"p99 {p99 / raw99:.1f}x",
        target="p99 <= 3x raw; p50 < 100 ms",
        met=p99 <= 3 * raw99 and p50 < 100,
        note=f"activation seen by a consumer: p50 {_pct(seen, 0.5):.0f} ms, "
        f"p99 {_pct(seen, 0.99):.0f} ms",
    )


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


# -- pseudonymise ------------------------------------------------------------------------


def _csv(path: Path, megabytes: int) -> None:
    """A CSV with two ID columns (and two others) of about ``megabytes``."""
    with path.open("w") as f:
        f.write("entref,ruref,turnover,employees\n")
        i = 0
        while f.tell() < megabytes * 1024 * 1024:
            lines = [
                f"{10000000 + i + k},{49900000000 + 7 * (i + k)},{(i + k) * 37 % 99991},"
                f"{(i + k) % 250}\n"
                for k in range(10_000)
            ]
            f.write("".join(lines))
            i += 10_000


def pseudonymise(ctx) -> Row:
    """MB/s streaming a CSV with two ID columns through POST /v1/pseudonymise vs a bare loop
    of hmac over the same values; peak RSS of the server while streaming."""
    from rows import _headers

    mb = ctx.profile.pseudonymise_mb
    path = ctx.var / f"pseudonymise-{mb}mb.csv"
    if not path.exists():
        _csv(path, mb)
    size = path.stat().st_size
    pid = ctx.stack.processes["access"].pid
    url = f"{ctx.stack.url('access')}/v1/pseudonymise?columns=entref&columns=ruref"
    headers = {**_headers(ctx, "support", sub="bench-support"), "Content-Type": "text/csv"}
    peak = [rss_mb(pid)]
    idle = peak[0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb(pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    received = 0
    try:
        # curl reads the answer while it sends (the server streams both ways at once; a
        # client that sends everything before reading would deadlock).
        started = time.perf_counter()
        out = subprocess.run(
            [
                "curl",
                "-sS",
                "-f",
                "-X",
                "POST",
                "-T",
                str(path),
                "-o",
                "/dev/null",
                "-w",
                "%{size_download}",
                *[a for k, v in headers.items() for a in ("-H", f"{k}: {v}")],
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=1200,
        )
        ours_s = time.perf_counter() - started
        received = int(out.stdout.strip())
    finally:
        done.set()
        sampler.join()
    assert received > size, "the answer is shorter than the input"

    secret = b"bench-key"
    started = time.perf_counter()
    with path.open() as f:
        next(f)
        for line in f:
            entref, ruref, _ = line.split(",", 2)
            hmac.new(secret, entref.encode(), hashlib.sha256).digest()
            hmac.new(secret, ruref.encode(), hashlib.sha256).digest()
    bare_s = time.perf_counter() - started
    ours, bare = size / 1e6 / ours_s, size / 1e6 / bare_s
    ratio = ours / bare
    return Row(
        "pseudonymise",
        f"MB/s streaming a {size / 1e6:.0f} MB CSV, two ID columns",
        "bare hmac loop",
        value=f"{ours:.1f} MB/s; peak RSS {peak[0]:.0f} MB",
        base_value=f"{bare:.1f} MB/s",
        ratio=f"{100 * ratio:.0f} %",
        target=">= 50 %; peak RSS < 100 MB",
        met=ratio >= 0.5 and peak[0] < 100,
        note=f"RSS before {idle:.0f} MB",
    )
