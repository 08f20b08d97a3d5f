"""The platform as separate processes for fault injection.

Unlike :class:`srs_common.devstack.Stack`, each service's HTTP API, outbox relays and
consumer workers run as separate processes (``serve`` with relay and consumers off,
``relay``, ``worker``) so a test can SIGKILL and replicate them; every client reaches the
Tansu broker through a :class:`FaultProxy`, which is also the broker's advertised
listener, so no client ever bypasses it.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from srs_common.broker import free_port, port_open, tansu_binary
from srs_common.migrations import upgrade
from srs_common.testing import run_sync
from srs_common.tokens import SigningKey, issue_token

from .proxy import FaultProxy


@dataclass
class Role:
    """One process: ``kind`` is api, relay or worker."""

    service: str
    kind: str
    replica: int
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def name(self) -> str:
        return f"{self.service}-{self.kind}-{self.replica}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class FaultStack:
    var_dir: Path
    database_urls: dict[str, str]
    # service -> (relay replicas, worker replicas); (0, 0) runs one process doing all
    layout: dict[str, tuple[int, int]]
    seeded: tuple[str, ...] = ("access", "accreditation", "booking")
    signing_key: SigningKey = field(default_factory=SigningKey.generate)
    roles: dict[str, Role] = field(default_factory=dict)
    broker_process: subprocess.Popen[bytes] | None = None
    proxy: FaultProxy | None = None

    # -- environment --------------------------------------------------------------------
    def api(self, service: str) -> str:
        return self.roles[f"{service}-api-1"].url

    def token(self, sub: str, roles: list[str], **claims: str) -> dict[str, str]:
        token = issue_token(
            self.signing_key, sub=sub, roles=roles, issuer="srs-access", audience="srs", **claims
        )  # type: ignore[arg-type]
        return {"Authorization": f"Bearer {token}"}

    def env(self, service: str, kind: str) -> dict[str, str]:
        assert self.proxy is not None
        prefix = f"SRS_{service.upper()}_"
        env = {
            **os.environ,
            "SRS_KAFKA_BOOTSTRAP": f"127.0.0.1:{self.proxy.port}",
            "SRS_JWKS_URL": f"{self.api('access')}/.well-known/jwks.json",
            "SRS_LOG_JSON": "true",
            "SRS_FETCH_MAX_WAIT_MS": "50",
            "SRS_SESSION_TIMEOUT_MS": "6000",
            "SRS_REQUEST_TIMEOUT_MS": "10000",
            "SRS_ACCESS_SIGNING_KEY_PEM": self.signing_key.private_pem,
            f"{prefix}DATABASE_URL": self.database_urls[service],
            # At most 2 x 4 connections a process: the short schedule's eight processes
            # peak at about 42 of PostgreSQL's 100, leaving room for the rest of the suite.
            f"{prefix}DB_POOL_SIZE": "4",
        }
        if kind == "api":
            env[f"{prefix}RUN_RELAY"] = env[f"{prefix}RUN_CONSUMERS"] = "false"
        return env

    # -- lifecycle ----------------------------------------------------------------------
    def start(self, timeout: float = 90.0) -> None:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        (self.var_dir / "logs").mkdir(exist_ok=True)
        broker_port = free_port()
        self.proxy = FaultProxy(broker_port).start()
        self._start_broker(broker_port)
        for service, (relays, workers) in self.layout.items():
            kind = "api" if relays or workers else "all"
            self.roles[f"{service}-api-1"] = Role(service, kind, 1, free_port())
            for i in range(relays):
                self.roles[f"{service}-relay-{i + 1}"] = Role(service, "relay", i + 1, free_port())
            for i in range(workers):
                self.roles[f"{service}-worker-{i + 1}"] = Role(
                    service, "worker", i + 1, free_port()
                )
        try:
            for service in self.layout:
                self._migrate_and_seed(service)
            # The token issuer first: the others fetch its JWKS.
            for role in sorted(self.roles.values(), key=lambda r: r.service != "access"):
                self.spawn(role)
            self.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def _start_broker(self, port: int) -> None:
        assert self.proxy is not None
        self.broker_process = start_tansu(
            port, self.proxy.port, self.var_dir / "logs" / "broker.log"
        )

    def _migrate_and_seed(self, service: str) -> None:
        """In this process: a Python start-up per step costs seconds on a busy machine."""
        package = importlib.import_module(f"srs_{service}")
        url = self.database_urls[service]
        upgrade(package.MIGRATIONS_DIR, url)
        if service in self.seeded:
            seed = importlib.import_module(f"srs_{service}.seed").seed
            settings_module = importlib.import_module(f"srs_{service}.settings")
            settings_class = next(
                v
                for k, v in vars(settings_module).items()
                if k.endswith("Settings") and k != "ServiceSettings"
            )
            run_sync(lambda: seed(settings_class(database_url=url)))

    def spawn(self, role: Role) -> None:
        command = "serve" if role.kind in ("api", "all") else role.kind
        log = open(self.var_dir / "logs" / f"{role.name}.log", "ab")  # noqa: SIM115
        role.process = subprocess.Popen(
            [sys.executable, "-m", f"srs_{role.service}", command, "--port", str(role.port)],
            env=self.env(role.service, role.kind),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float, names: list[str] | None = None) -> None:
        """Every process answers /healthz (readiness needs the broker, which a fault may
        have taken away; liveness is what a restart waits for)."""
        deadline = time.monotonic() + timeout
        pending = set(names or self.roles)
        while pending:
            for name in list(pending):
                role = self.roles[name]
                assert role.process is not None
                if role.process.poll() is not None:
                    raise RuntimeError(
                        f"{name} exited with {role.process.returncode}; see "
                        f"{self.var_dir / 'logs' / (name + '.log')}"
                    )
                try:
                    if httpx.get(f"{role.url}/healthz", timeout=1).status_code == 200:
                        pending.discard(name)
                except httpx.HTTPError:
                    pass
            if pending:
                if time.monotonic() > deadline:
                    tails = {n: self.log_tail(n) for n in sorted(pending)}
                    raise RuntimeError(f"not live within {timeout}s: {tails}")
                time.sleep(0.1)

    def kill(self, name: str) -> None:
        """SIGKILL the process: no clean-up, no lease release, no offset commit."""
        role = self.roles[name]
        assert role.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(role.process.pid, signal.SIGKILL)
        role.process.wait(10)

    def log_tail(self, name: str, lines: int = 15) -> str:
        path = self.var_dir / "logs" / f"{name}.log"
        if not path.exists():
            return "(no log)"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def restart(self, name: str, timeout: float = 90.0) -> None:
        """Start a killed process again. Liveness is not what the schedule measures (no
        loss, no double application): on a busy two-core machine, with end-to-end stacks
        idling beside the suite, a Python start-up has been seen to take over 30 s."""
        self.spawn(self.roles[name])
        self.wait_ready(timeout, [name])

    def stop(self) -> None:
        running = [
            r.process
            for r in self.roles.values()
            if r.process is not None and r.process.poll() is None
        ]
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in running:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        if self.broker_process is not None and self.broker_process.poll() is None:
            self.broker_process.terminate()
            self.broker_process.wait(5)
        if self.proxy is not None:
            self.proxy.stop()

    # -- state ----------------------------------------------------------------------------
    def messaging(self, name: str) -> dict[str, object] | None:
        """GET /v1/messaging of one process (None if it does not answer)."""
        try:
            response = httpx.get(
                f"{self.roles[name].url}/v1/messaging",
                headers=self.token("reliability", ["ops"]),
                timeout=2,
            )
            return response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            return None

    def of_kind(self, service: str, kind: str) -> list[str]:
        return [n for n, r in self.roles.items() if r.service == service and r.kind == kind]


def start_tansu(port: int, advertised_port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """Tansu listening on ``port`` but advertising ``advertised_port`` (the proxy's), so
    every client goes through the proxy after bootstrap too."""
    log = open(log_path, "ab")  # noqa: SIM115
    process = subprocess.Popen(
        [
            str(tansu_binary()),
            "broker",
            "--listener-url",
            f"tcp://127.0.0.1:{port}",
            "--advertised-listener-url",
            f"tcp://127.0.0.1:{advertised_port}",
            "--storage-engine",
            "memory://tansu/",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "RUST_LOG": "warn"},
    )
    deadline = time.monotonic() + 10
    while not port_open(port):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"tansu did not start on {port}")
        time.sleep(0.02)
    return process


@contextlib.asynccontextmanager
async def databases_away(urls: list[str]) -> AsyncIterator[None]:
    """These PostgreSQL databases refuse connections and drop those open, as during a
    restart, until the block ends. Only the named databases: the server is shared."""
    parsed = [make_url(u) for u in urls]
    admin = await asyncpg.connect(
        parsed[0]
        .set(drivername="postgresql", database="postgres")
        .render_as_string(hide_password=False)
    )
    names = [p.database for p in parsed]
    try:
        for name in names:
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = ANY($1::text[]) AND pid <> pg_backend_pid()",
            names,
        )
        yield
    finally:
        for name in names:
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()
