"""The pseudonymise row: MB/s streaming a CSV through POST /v1/pseudonymise, and the
server's peak RSS meanwhile."""

from __future__ import annotations

import hashlib
import hmac
import subprocess
import threading
import time
from pathlib import Path

from harness import Row, rss_mb


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
    of hmac over the same values; peak RSS of the serving process while streaming: an
    access API replica of its own (no relay, no consumers), as the deployment scales it."""
    from rows import api_replica

    replica, base = api_replica(ctx, "access", "pseudonymise")
    try:
        replica.wait_http(f"{base}/healthz", timeout=60)
        return _stream(ctx, replica.proc.pid, base)
    finally:
        replica.stop()


def _stream(ctx, pid: int, base: str) -> Row:
    from rows import _headers

    mb = ctx.profile.pseudonymise_mb
    path = ctx.var / f"pseudonymise-{mb}mb.csv"
    if not path.exists():
        _csv(path, mb)
    size = path.stat().st_size
    url = f"{base}/v1/pseudonymise?columns=entref&columns=ruref"
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
        target=">= 60 %; peak RSS < 100 MB",
        met=ratio >= 0.6 and peak[0] < 100,
        note=f"an API replica's RSS before {idle:.0f} MB",
    )
