"""``make bench``: the platform's speed as ratios against the same machine's limits,
measured in one run. Prints the table and writes ``bench/RESULTS.md``.

    make bench            # full: wrk 10 s x 3 rounds per row, 60 s saga, 50,000-row relay
    make bench QUICK=1    # a quick check of a change (about 3 minutes)
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import signal
import sys
import time

import journeys as J  # noqa: E402
import rows as R  # noqa: E402
from harness import (
    FULL,
    QUICK,
    ROOT,
    Profile,
    Row,
    machine_description,
    measure,
    render,
    uvicorn,
)

from srs_common.broker import free_port
from srs_common.devstack import SERVICES, Stack
from srs_common.testing import ensure_postgres_database
from srs_common.tokens import SigningKey, issue_token

PG = os.environ.get("SRS_BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")
#: Names this run's databases and var/ folder, so two runs can share the machine (a run
#: with another name writes its table to its own folder, not to bench/RESULTS.md).
NAME = os.environ.get("SRS_BENCH_NAME", "bench")


def pct(a: float, b: float) -> str:
    return f"{100 * a / b:.0f} %"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="*", help="row names to run")
    parser.add_argument(
        "--hold",
        type=int,
        default=0,
        metavar="SECONDS",
        help="keep the stack running this long after the rows (for profiling; "
        "var/bench/hold.json says where everything is)",
    )
    args = parser.parse_args()
    # A SIGTERM (timeout, kill) unwinds like Ctrl-C, so the stack below is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    profile: Profile = QUICK if args.quick else FULL
    var = ROOT / "var" / NAME
    var.mkdir(parents=True, exist_ok=True)
    (var / "logs").mkdir(exist_ok=True)
    started = time.monotonic()

    urls = {}
    for service in SERVICES:
        url = f"{PG}/srs_{NAME}_{service}"
        ensure_postgres_database(url, recreate=True)
        urls[service] = url
    baseline_url = f"{PG}/srs_{NAME}_baseline"
    ensure_postgres_database(baseline_url, recreate=True)

    key = SigningKey.generate()
    stack = Stack(
        var_dir=var,
        ports={s: free_port() for s in SERVICES},
        database_urls=urls,
        smtp_port=free_port(),
        signing_key=key,
        log_json=True,
        extra_env={
            "SRS_LOG_LEVEL": "WARNING",
            # bookings spread over years of slots, all distinct
            "SRS_BOOKING_BOOKING_HORIZON_DAYS": str(J.HORIZON_DAYS),
            # PostgreSQL here allows 100 connections, shared with other
            # work: at most 2 x 5 per service (ample for one worker).
            **{f"SRS_{s.upper()}_DB_POOL_SIZE": "5" for s in SERVICES},
        },
    )
    env = {**os.environ, "SRS_BENCH_DATABASE_URL": baseline_url, "PYTHONPATH": str(ROOT)}
    baseline_port = free_port()
    baseline = uvicorn("bench.baseline_app:app", baseline_port, env, var / "logs" / "baseline.log")
    rows: list[Row] = []
    try:
        baseline.wait_http(f"http://127.0.0.1:{baseline_port}/hello")
        stack.start(timeout=120)
        ops_token = issue_token(
            key, sub="bench", roles=["ops", "support"], issuer="srs-access", audience="srs"
        )
        stack.wait_consumers(ops_token)
        print(f"stack up in {time.monotonic() - started:.0f} s", flush=True)
        ctx = R.Context(
            stack=stack,
            key=key,
            profile=profile,
            baseline=f"http://127.0.0.1:{baseline_port}",
            var=var,
        )
        print(
            f"measuring baselines ({profile.rounds} rounds of {profile.duration_s}s)...", flush=True
        )
        ctx.hello = measure(f"{ctx.baseline}/hello", profile)
        ctx.insert = measure(f"{ctx.baseline}/insert", profile, method="POST")
        ctx.select = measure(f"{ctx.baseline}/select", profile)
        print(
            f"  hello {ctx.hello.rps:.0f} req/s p99 {ctx.hello.p99_ms:.1f} ms; "
            f"insert {ctx.insert.rps:.0f}; select {ctx.select.rps:.0f}",
            flush=True,
        )
        for name, fn in R.ROWS:
            if args.only and name not in args.only:
                continue
            print(f"row: {name}...", flush=True)
            row_started = time.monotonic()
            try:
                result = asyncio.run(fn(ctx)) if asyncio.iscoroutinefunction(fn) else fn(ctx)
                produced = result if isinstance(result, list) else [result]
            except R.NotMeasured as exc:
                produced = [Row(name, str(exc), "-", note="not measured", met=None)]
            except Exception as exc:  # noqa: BLE001 - one broken row must not lose the rest
                produced = [Row(name, "-", "-", note=f"failed: {exc!r}"[:300], met=False)]
            rows += produced
            for row in produced:
                print(f"  {render([row]).splitlines()[-1]}", flush=True)
            print(
                f"  ({time.monotonic() - row_started:.0f} s; {time.monotonic() - started:.0f} s "
                f"into the run)",
                flush=True,
            )
        if args.hold:
            (var / "hold.json").write_text(
                json.dumps(
                    {
                        "urls": {s: stack.url(s) for s in SERVICES},
                        "baseline": ctx.baseline,
                        "pids": {s: p.pid for s, p in stack.processes.items()},
                        "signing_key_pem": key.private_pem,
                        "journeys": ctx.journeys,
                    },
                    indent=1,
                )
            )
            print(f"holding the stack for {args.hold}s: {var / 'hold.json'}", flush=True)
            time.sleep(args.hold)
    finally:
        stack.stop()
        baseline.stop()

    table = render(rows)
    elapsed = time.monotonic() - started
    print("\n" + table)
    print(f"\n{'quick' if args.quick else 'full'} run in {elapsed:.0f} s")
    results = ROOT / "bench" / "RESULTS.md" if NAME == "bench" else var / "RESULTS.md"
    results.write_text(
        f"# Benchmark results\n\n{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
        f"{'quick' if args.quick else 'full'} run ({elapsed:.0f} s).\n\n"
        f"Machine: {machine_description()}.\n\n"
        f"Each row's baseline is measured again just before the row; the first "
        f"measurement of the run: hello world {ctx.hello.rps:.0f} req/s "
        f"(p99 {ctx.hello.p99_ms:.1f} ms); ORM insert+commit {ctx.insert.rps:.0f} req/s; "
        f"primary-key SELECT {ctx.select.rps:.0f} req/s.\n\n{table}\n\n"
        f"Reproduce: `make bench` (or `make bench QUICK=1`).\n"
        + R.NOTES
        + "\n"
        + (ROOT / "bench" / "fixes.md").read_text()
    )
    if any(r.met is False for r in rows):
        sys.exit(0)  # misses are reported, not failures of the run


if __name__ == "__main__":
    main()
