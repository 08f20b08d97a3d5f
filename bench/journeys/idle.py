"""The whole stack at rest: CPU and resident memory of every process ``make run`` starts
(the broker, the process serving every service with its relay and consumers and the
portal, the SMTP sink) while nobody uses it. A laptop or a small pod pays this all day."""

from __future__ import annotations

import time
from pathlib import Path

from harness import Row, cpu_seconds, rss_mb


def stack_pids(stack) -> dict[str, int]:
    pids = {name: p.pid for name, p in {**stack.processes, **stack.helpers}.items()}
    if stack.broker is not None:
        pids["broker"] = stack.broker.process.pid
    return pids


def measure_idle(stack, seconds: float) -> tuple[dict[str, float], dict[str, float]]:
    """Per process: share of one core used over ``seconds`` of rest, and RSS (MB) after."""
    pids = stack_pids(stack)
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    started = time.monotonic()
    time.sleep(seconds)
    elapsed = time.monotonic() - started
    cpu = {name: (cpu_seconds(pid) - before[name]) / elapsed for name, pid in pids.items()}
    rss = {name: rss_mb(pid) for name, pid in pids.items()}
    return cpu, rss


def make_run_stack(var_dir: Path):
    """What ``make run`` starts (SQLite under ``var_dir``, the portal included, every
    service in one process), on free ports so it can run beside anything else."""
    from srs_common.broker import free_port
    from srs_common.devstack import DEFAULT_PORTS, Stack

    return Stack(
        var_dir=var_dir,
        ports={s: free_port() for s in DEFAULT_PORTS},
        smtp_port=free_port(),
        log_json=False,
        extra_env={"SRS_LOG_LEVEL": "WARNING"},
        single_process=True,
    )


def idle_cost(ctx) -> Row:
    """A ``make run`` stack of its own, left alone for 30 s (10 s in the quick profile)
    after a settling minute (20 s); no baseline: the target is absolute (a share of one
    core, MB in all)."""
    quick = ctx.profile.duration_s < 5
    seconds, settle = (10.0, 20.0) if quick else (30.0, 60.0)
    stack = make_run_stack(ctx.var / "idle")
    try:
        stack.start(timeout=180)
        time.sleep(settle)  # start-up work done, consumers at their resting pace
        cpu, rss = measure_idle(stack, seconds)
    finally:
        stack.stop()
    total_cpu, total_rss = sum(cpu.values()), sum(rss.values())
    busiest = sorted(cpu, key=cpu.__getitem__, reverse=True)[:4]
    largest = sorted(rss, key=rss.__getitem__, reverse=True)[:2]
    return Row(
        "idle cost",
        f"the make run stack at rest for {seconds:.0f} s: CPU (share of one core), RSS in all",
        "-",
        value=f"{100 * total_cpu:.1f} % of a core; {total_rss:.0f} MB",
        base_value="-",
        ratio="-",
        target="< 10 % of a core; < 700 MB",
        met=total_cpu < 0.10 and total_rss < 700,
        note="busiest: "
        + ", ".join(f"{n} {100 * cpu[n]:.1f} %" for n in busiest)
        + "; largest: "
        + ", ".join(f"{n} {rss[n]:.0f} MB" for n in largest)
        + f"; {len(rss)} processes",
    )


if __name__ == "__main__":  # python bench/journeys/idle.py [settle seconds]
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        stack = make_run_stack(Path(tmp))
        try:
            stack.start(timeout=180)
            time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 20)
            cpu, rss = measure_idle(stack, 30)
            for name in sorted(cpu, key=cpu.__getitem__, reverse=True):
                print(f"{name:<14} {100 * cpu[name]:5.1f} %  {rss[name]:6.0f} MB")
            print(f"{'all':<14} {100 * sum(cpu.values()):5.1f} %  {sum(rss.values()):6.0f} MB")
        finally:
            stack.stop()
