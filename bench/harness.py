"""Measurement plumbing for ``make bench``: wrk runs, processes, results table."""

from __future__ import annotations

import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from srs_common.broker import free_port

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int = 0
    #: Where the machine's CPU went per request, when measured (:func:`cpu_per`).
    cpu: str = ""


@dataclass
class Row:
    name: str
    measures: str
    baseline: str
    value: str = "-"
    base_value: str = "-"
    ratio: str = "-"
    target: str = ""
    met: bool | None = None
    note: str = ""
    details: dict[str, float] = field(default_factory=dict)


@dataclass
class Profile:
    """How hard to push: the full run or the quick check of a change."""

    duration_s: int
    rounds: int
    warmup_s: int
    connections: int = 64
    threads: int = 2
    saga_seconds: int = 60
    saga_rate: int = 50
    relay_rows: int = 50_000
    sdc_cells: int = 10_000
    pseudonymise_mb: int = 200
    #: Measure each row's baseline again just before it (the full run, for a shared
    #: machine); the quick check reuses the run's first measurement.
    refresh_baselines: bool = True


FULL = Profile(duration_s=10, rounds=3, warmup_s=3)
QUICK = Profile(
    duration_s=2,
    rounds=3,
    warmup_s=1,
    saga_seconds=5,
    relay_rows=10_000,
    pseudonymise_mb=20,
    refresh_baselines=False,
)


def _parse_duration_ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(
    url: str,
    profile: Profile,
    *,
    duration_s: int | None = None,
    method: str = "GET",
    body: str | None = None,
    headers: dict[str, str] | None = None,
    lua: str | None = None,
) -> Load:
    """One wrk run (``-t2 -c64``, ``--latency``); a Lua script for POSTs and varied bodies."""
    script = lua
    if script is None and (method != "GET" or body or headers):
        lines = [f'wrk.method = "{method}"']
        if body is not None:
            escaped = body.replace("\\", "\\\\").replace('"', '\\"')
            lines.append(f'wrk.body = "{escaped}"')
        for key, value in (headers or {}).items():
            lines.append(f'wrk.headers["{key}"] = "{value}"')
        script = "\n".join(lines)
    cmd = [
        "wrk",
        f"-t{profile.threads}",
        f"-c{profile.connections}",
        f"-d{duration_s or profile.duration_s}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script or "")
    if script:
        cmd += ["-s", f.name]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    os.unlink(f.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _parse_duration_ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _parse_duration_ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx and int(non2xx.group(1)) > 0.01 * rps * (duration_s or profile.duration_s):
        raise RuntimeError(f"{url}: {non2xx.group(1)} error responses under load:\n{out}")
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return Load(rps, p50, p99, total)


def measure(url: str, profile: Profile, *, stack: object = None, **kwargs: object) -> Load:
    """Warm up (discarded), then the median of ``profile.rounds`` rounds; with ``stack``,
    also each of its processes' CPU time per request over those rounds."""
    wrk(url, profile, duration_s=profile.warmup_s, **kwargs)  # type: ignore[arg-type]
    before = stack_cpu_seconds(stack) if stack is not None else {}
    loads = [wrk(url, profile, **kwargs) for _ in range(profile.rounds)]  # type: ignore[arg-type]
    requests = sum(x.requests for x in loads)
    return Load(
        statistics.median(x.rps for x in loads),
        statistics.median(x.p50_ms for x in loads),
        statistics.median(x.p99_ms for x in loads),
        requests,
        cpu_per(before, stack_cpu_seconds(stack), requests) if stack is not None else "",
    )


class Process:
    """A uvicorn (or other) process we started and will stop, by PID."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            args,
            env=env,
            stdout=open(log, "ab"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_http(self, url: str, timeout: float = 30) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"process exited; see {self.log}")
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    return time.monotonic() - self.started
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
        raise RuntimeError(f"{url} not ready within {timeout}s")

    def rss_mb(self) -> float:
        return rss_mb(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def cpu_seconds(pid: int | str) -> float:
    """User + system CPU time of one process so far, its threads included (/proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def stack_cpu_seconds(stack: object) -> dict[str, float]:
    """CPU time so far of each process of a running stack (by service), of its broker, and
    of the PostgreSQL server ("postgres": all its processes, the machine's one cluster).
    A process gone meanwhile is left out."""
    pids: dict[str, int | str] = {
        name: process.pid
        for name, process in stack.processes.items()  # type: ignore[attr-defined]
    }
    pids["broker"] = stack.broker.process.pid  # type: ignore[attr-defined]

    def used(pid: int | str) -> float | None:
        try:
            return cpu_seconds(pid)
        except OSError:
            return None

    spent = {name: cpu for name, pid in pids.items() if (cpu := used(pid)) is not None}
    postgres = 0.0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if Path(f"/proc/{entry}/comm").read_text().strip() != "postgres":
                    continue
            except OSError:
                continue
            postgres += used(entry) or 0.0
    spent["postgres"] = postgres
    return spent


def cpu_per(before: dict[str, float], after: dict[str, float], count: int) -> str:
    """Each process's CPU time between two :func:`stack_cpu_seconds` readings per unit of
    work (an approval, a request), largest first: where the machine's cores went."""
    each = {name: (after[name] - before[name]) * 1000 / count for name in after if name in before}
    return ", ".join(
        f"{name} {ms:.1f} ms" for name, ms in sorted(each.items(), key=lambda kv: -kv[1])
    )


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def uvicorn(app: str, port: int, env: dict[str, str], log: Path) -> Process:
    return Process(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env,
        log,
    )


def machine_description() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_kb / 1024 / 1024:.0f} GiB RAM, "
        f"Python {sys.version.split()[0]}, loopback, PostgreSQL on 127.0.0.1, "
        f"Tansu broker (fresh), uvicorn 1 worker per process, wrk -t2 -c64"
    )


def render(rows: list[Row]) -> str:
    header = (
        "| row | measures | value | baseline | ratio | target | met |\n"
        "|---|---|---|---|---|---|---|"
    )
    lines = [header]
    for r in rows:
        met = {True: "yes", False: "**MISS**", None: "-"}[r.met]
        value = r.value + (f" ({r.note})" if r.note else "")
        lines.append(
            f"| {r.name} | {r.measures} | {value} | {r.baseline}: {r.base_value} | "
            f"{r.ratio} | {r.target} | {met} |"
        )
    return "\n".join(lines)


def free() -> int:
    return free_port()
