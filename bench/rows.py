"""One function per benchmark row; each measures its subject and its baseline in the
same run and returns a :class:`harness.Row`."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka import AIOKafkaProducer
from harness import QUICK, Load, Process, Profile, Row, measure, rss_mb
from sqlalchemy import MetaData, insert

from srs_common.config import ServiceSettings
from srs_common.contracts import ProjectApproved
from srs_common.db import Database, utcnow
from srs_common.devstack import SERVICES, Stack
from srs_common.events.bus import ensure_topics
from srs_common.events.envelope import to_headers
from srs_common.events.relay import Relay
from srs_common.events.tables import messaging_tables
from srs_common.testing import ensure_postgres_database
from srs_common.tokens import SigningKey

NOTES = """
## Notes

- Every row runs against a baseline measured minutes apart in the same run on the same
  machine; ratios, not absolute numbers, are the result.
"""


class NotMeasured(Exception):
    pass


@dataclass
class Context:
    stack: Stack
    key: SigningKey
    profile: Profile
    baseline: str
    var: Path
    hello: Load | None = None
    insert: Load | None = None
    select: Load | None = None
    #: What the journeys set up (project ids, request bodies), for --hold.
    journeys: dict[str, object] = field(default_factory=dict)

    def fresh(self, kind: str) -> Load:
        """Measure baseline ``kind`` (hello, insert, select) again right before the row
        that is compared with it: on a shared machine the load changes within minutes.
        First, every event the rows before published is consumed (the booking writes'
        thousands of e-mails, say), so a row measures itself, not the last one's tail."""
        ops = _headers(self, "ops", sub="bench-ops")["Authorization"].split()[1]
        self.stack.wait_drained(ops, timeout=300)
        if self.profile.refresh_baselines is False and getattr(self, kind) is not None:
            return getattr(self, kind)
        load = measure(
            f"{self.baseline}/{kind}",
            self.profile,
            **({"method": "POST"} if kind == "insert" else {}),
        )
        setattr(self, kind, load)
        return load


def footprint(ctx: Context) -> Row:
    """Idle RSS of each running service, and time from process start to /readyz."""
    rss = {s: rss_mb(p.pid) for s, p in ctx.stack.processes.items()}
    ready = {}
    # The quick check times one service; the full run every one.
    for service in ["access"] if ctx.profile is QUICK else SERVICES:
        proc, url = api_replica(ctx, service, "footprint")
        try:
            ready[service] = proc.wait_http(f"{url}/readyz", timeout=30)
        finally:
            proc.stop()
    worst_rss, worst_ready = max(rss.values()), max(ready.values())
    detail = ", ".join(
        f"{s} {rss[s]:.0f} MB" + (f"/{ready[s]:.1f} s" if s in ready else "") for s in SERVICES
    )
    return Row(
        "footprint",
        "idle RSS; start to ready, per service",
        "-",
        value=f"max {worst_rss:.0f} MB; max {worst_ready:.1f} s",
        base_value="-",
        ratio="-",
        target="< 150 MB; < 3 s",
        met=worst_rss < 150 and worst_ready < 3,
        note=detail,
    )


def api_replica(ctx: Context, service: str, purpose: str) -> tuple[Process, str]:
    """One more API replica of ``service`` (started, not yet ready) and its URL. It
    serves like any replica but leaves the relay and the consumer group to the running
    stack: joining srs-<service> would make the stack's own consumers rebalance under the
    rows that follow; and an API replica is what the deployment scales."""
    port = _free()
    env = {
        **ctx.stack.env(service),
        f"SRS_{service.upper()}_PORT": str(port),
        f"SRS_{service.upper()}_METRICS_PORT": str(_free()),
        f"SRS_{service.upper()}_RUN_RELAY": "false",
        f"SRS_{service.upper()}_RUN_CONSUMERS": "false",
    }
    proc = Process(
        [sys.executable, "-m", f"srs_{service}", "serve"],
        env,
        ctx.var / "logs" / f"{purpose}-{service}.log",
    )
    return proc, f"http://127.0.0.1:{port}"


def _free() -> int:
    from srs_common.broker import free_port

    return free_port()


async def relay_throughput(ctx: Context) -> Row:
    """Rows/s draining an outbox backlog vs raw aiokafka batched produce of the same payloads."""
    n = ctx.profile.relay_rows
    bootstrap = ctx.stack.broker.bootstrap  # type: ignore[union-attr]
    url = ctx.stack.database_url("projects").rsplit("/", 1)[0] + "/srs_" + ctx.var.name + "_relay"
    ensure_postgres_database(url, recreate=True)
    metadata = MetaData()
    tables = messaging_tables(metadata)
    db = Database(url, service="benchrelay", messaging=tables)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    payload = ProjectApproved.model_validate(ProjectApproved.example).model_dump_json()
    now = utcnow()
    rows = [
        {
            "event_id": str(uuid.uuid4()),
            "topic": "srs.bench.relay",
            "key": f"prj_{i % 1000}",
            "type": ProjectApproved.type,
            "source": "/srs/bench",
            "subject": f"prj_{i % 1000}",
            "correlation_id": None,
            "payload": payload,
            "created_at": now,
        }
        for i in range(n)
    ]
    async with db.engine.begin() as conn:
        for start in range(0, n, 5000):
            await conn.execute(insert(tables.outbox), rows[start : start + 5000])

    settings = ServiceSettings(
        service_name="benchrelay",
        database_url=url,
        platform=_platform(bootstrap),
        relay_batch_size=int(os.environ.get("SRS_BENCH_RELAY_BATCH", "1000")),
    )
    relay = Relay(db, settings)
    started = time.perf_counter()
    task = asyncio.create_task(relay.run())
    while relay.published < n:
        await asyncio.sleep(0.01)
        if task.done():
            task.result()
    relay_s = time.perf_counter() - started
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await db.dispose()

    await ensure_topics(settings.platform, ["srs.bench.raw"])
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", linger_ms=5, max_batch_size=256 * 1024
    )
    await producer.start()
    headers = to_headers(
        event_id=str(uuid.uuid4()),
        source="/srs/bench",
        event_type=ProjectApproved.type,
        subject="prj",
        time=now,
        correlation_id=None,
    )
    started = time.perf_counter()
    futures = [
        await producer.send(
            "srs.bench.raw", payload.encode(), key=r["key"].encode(), headers=headers
        )
        for r in rows
    ]
    await producer.flush()
    await asyncio.gather(*futures)
    raw_s = time.perf_counter() - started
    await producer.stop()
    relay_rate, raw_rate = n / relay_s, n / raw_s
    return Row(
        "relay throughput",
        f"outbox rows/s draining {n:,} rows",
        "raw aiokafka batched",
        value=f"{relay_rate:,.0f} rows/s",
        base_value=f"{raw_rate:,.0f} msg/s",
        ratio=f"{100 * relay_rate / raw_rate:.0f} %",
        target=">= 60 %",
        met=relay_rate >= 0.6 * raw_rate,
    )


def _platform(bootstrap: str):
    from srs_common.config import PlatformSettings

    return PlatformSettings(kafka_bootstrap=bootstrap, log_json=True, log_level="WARNING")


def _headers(
    ctx: Context, *roles: str, sub: str, researcher_id: str | None = None, org: str | None = None
) -> dict[str, str]:
    from srs_common.tokens import issue_token

    token = issue_token(
        ctx.key,
        sub=sub,
        roles=list(roles),
        issuer="srs-access",
        audience="srs",
        researcher_id=researcher_id,
        org=org,
    )
    return {"Authorization": f"Bearer {token}"}


def _accredit(ctx: Context, client, researcher_id: str, name: str) -> None:
    """Register a researcher and have the panel grant full accreditation (over HTTP)."""
    base = ctx.stack.url("accreditation")
    me = _headers(ctx, "researcher", sub=researcher_id, researcher_id=researcher_id, org="org-ntu")
    panel = _headers(ctx, "panel", sub="bench-panel")
    r = client.post(
        f"{base}/v1/researchers",
        headers=me,
        json={
            "name": name,
            "email": f"{researcher_id}@bench.example",
            "organisation_id": "org-ntu",
            "qualifications": {
                "degree": "masters",
                "degree_quantitative": True,
                "quantitative_research_years": 4,
            },
        },
    )
    if r.status_code == 409:
        return
    r.raise_for_status()
    app = client.post(
        f"{base}/v1/applications",
        headers=me,
        json={"kind": "full", "training_completed_on": "2026-09-01"},
    ).json()["id"]
    client.post(f"{base}/v1/applications/{app}/submit", headers=me).raise_for_status()
    client.post(
        f"{base}/v1/applications/{app}/approve", headers=panel, json={"reason": "bench data"}
    ).raise_for_status()


def register_read(ctx: Context) -> Row:
    """Public register search, page of 50, vs a bare primary-key SELECT endpoint."""
    import httpx

    with httpx.Client(timeout=30) as client:
        for i in range(60):
            _accredit(ctx, client, f"res-bench-{i:03d}", f"Bench Researcher {i:03d}")
        page = client.get(f"{ctx.stack.url('accreditation')}/v1/register?limit=50").json()
        assert len(page["items"]) == 50, page
    ctx.fresh("select")
    load = measure(
        f"{ctx.stack.url('accreditation')}/v1/register?limit=50&q=Bench",
        ctx.profile,
        stack=ctx.stack,
    )
    assert ctx.select is not None
    ratio = load.rps / ctx.select.rps
    return Row(
        "register read",
        "public register search, page of 50",
        "bare PK SELECT",
        value=f"{load.rps:,.0f} req/s (p99 {load.p99_ms:.0f} ms)",
        base_value=f"{ctx.select.rps:,.0f} req/s",
        ratio=f"{100 * ratio:.0f} %",
        target=">= 70 %",
        met=ratio >= 0.7,
        note=f"CPU per read: {load.cpu}",
    )


def _acro_python(ctx: Context) -> Path:
    venv = ctx.var / "acro-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        import subprocess

        subprocess.run(["uv", "venv", "-q", "-p", "3.11", str(venv)], check=True)
        subprocess.run(["uv", "pip", "install", "-q", "--python", str(python), "acro"], check=True)
    return python


def sdc_checks(ctx: Context) -> Row:
    """Cells/s through POST /v1/sdc/checks on 10,000-cell magnitude tables vs ACRO building
    and checking the same tables from their microdata."""
    import random
    import subprocess

    import httpx

    side = int(ctx.profile.sdc_cells**0.5)
    rows_n = 200_000
    rng = random.Random(42)
    cells: dict[tuple[int, int], list[float]] = {}
    for _ in range(rows_n):
        cells.setdefault((rng.randrange(side), rng.randrange(side)), []).append(
            rng.expovariate(1 / 20_000)
        )
    body = {"kind": "magnitude", "cells": []}
    for (r, c), values in sorted(cells.items()):
        top = sorted(values, reverse=True)
        body["cells"].append(
            {
                "key": [str(r), str(c)],
                "count": len(values),
                "sum": sum(values),
                "largest": top[0],
                "second_largest": top[1] if len(top) > 1 else 0.0,
                "has_negative": False,
                "has_missing": False,
            }
        )
    payload = json.dumps(body)
    headers = {
        **_headers(ctx, "researcher", sub="res-alice", researcher_id="res-alice"),
        "content-type": "application/json",
    }
    url = f"{ctx.stack.url('clearance')}/v1/sdc/checks"
    with httpx.Client(timeout=60) as client:
        first = client.post(url, content=payload, headers=headers)
        assert first.status_code == 200, first.text[:500]
        assert len(first.json()["cells"]) == len(body["cells"])
        requests = 5 if ctx.profile is QUICK else max(5, ctx.profile.rounds * 5)
        started = time.perf_counter()
        for _ in range(requests):
            client.post(url, content=payload, headers=headers).raise_for_status()
        ours = requests * len(body["cells"]) / (time.perf_counter() - started)

    out = subprocess.run(
        [
            str(_acro_python(ctx)),
            str(Path(__file__).with_name("acro_baseline.py")),
            str(side),
            str(rows_n),
            str(1 if ctx.profile is QUICK else ctx.profile.rounds),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    acro = json.loads(out.strip().splitlines()[-1])
    theirs = acro["cells"] / statistics.median(acro["seconds"])
    ratio = ours / theirs
    return Row(
        "SDC",
        f"cells/s via POST /v1/sdc/checks, {len(body['cells']):,}-cell tables",
        "ACRO from microdata",
        value=f"{ours:,.0f} cells/s",
        base_value=f"{theirs:,.0f} cells/s",
        ratio=f"{ratio:.1f}x",
        target=">= 20x",
        met=ratio >= 20,
    )


import journeys as J  # noqa: E402

ROWS = [
    ("footprint", footprint),
    ("access", J.access_decision),
    ("booking", J.booking_rows),
    ("register", register_read),
    ("saga", J.saga_latency),
    ("idle", J.idle_cost),
    ("relay", relay_throughput),
    ("pseudonymise", J.pseudonymise),
    ("sdc", sdc_checks),
    # Last: it grows the databases a hundredfold.
    ("growth", J.growth),
]
