"""The embedded default, as real processes: a Tansu broker, one SQLite (or PostgreSQL)
database per service, migrations, demo data and the five services under uvicorn.

``make run`` uses :func:`main`; end-to-end tests use :class:`Stack` with free ports.
Everything started here is stopped here, by PID, process group and all.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from srs_common.broker import Broker, free_port, start_broker
from srs_common.tokens import SigningKey

SERVICES = ("accreditation", "projects", "clearance", "access", "booking", "ops", "notify")
DEFAULT_PORTS = {
    "accreditation": 8001,
    "projects": 8002,
    "clearance": 8003,
    "access": 8004,
    "booking": 8005,
    "ops": 8006,
    "notify": 8007,
    "portal": 8008,
}
# Front ends: started (after the services) only when the stack has a port for them; the
# deployment gives them objects of their own (no topic, relay or workers; deploy/k8s).
FRONT_ENDS = ("portal",)
SEEDED = ("access", "booking", "accreditation")


@dataclass
class Stack:
    """Broker plus the services, each a process of its own, or all of them in one
    (``single_process``: :mod:`srs_common.together`, what ``make run`` starts)."""

    var_dir: Path
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    # Prometheus metrics, a port of their own per service (srs_common.metrics); by default
    # the API port + 1000 for the default ports, a free port otherwise.
    metrics_ports: dict[str, int] = field(default_factory=dict)
    broker_port: int | None = None
    database_urls: dict[str, str] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    signing_key: SigningKey | None = None
    log_json: bool = True
    smtp_port: int = 8025
    single_process: bool = False
    broker: Broker | None = None
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    helpers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for service, port in self.ports.items():
            if service not in self.metrics_ports:
                self.metrics_ports[service] = (
                    port + 1000 if port == DEFAULT_PORTS.get(service) else free_port()
                )
        if self.single_process:  # one process, one metrics port: the first service's
            shared = self.metrics_ports[SERVICES[0]]
            self.metrics_ports = {service: shared for service in self.ports}

    @property
    def served(self) -> list[str]:
        """The services and front ends this stack serves, the issuer first (the others
        fetch its JWKS)."""
        return ["access", *[s for s in SERVICES if s != "access"], *self.front_ends()]

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def metrics_url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.metrics_ports[service]}/metrics"

    def database_url(self, service: str) -> str:
        return self.database_urls.get(
            service, f"sqlite+aiosqlite:///{self.var_dir.resolve()}/{service}.db"
        )

    def env(self, service: str) -> dict[str, str]:
        assert self.broker is not None
        env = {
            **os.environ,
            "SRS_KAFKA_BOOTSTRAP": self.broker.bootstrap,
            "SRS_JWKS_URL": f"{self.url('access')}/.well-known/jwks.json",
            "SRS_LOG_JSON": "true" if self.log_json else "false",
            f"SRS_{service.upper()}_DATABASE_URL": self.database_url(service),
            f"SRS_{service.upper()}_PORT": str(self.ports[service]),
            f"SRS_{service.upper()}_METRICS_PORT": str(self.metrics_ports[service]),
            "SRS_ACCESS_SIGNING_KEY_PATH": str(self.var_dir / "keys" / "access-signing.pem"),
            # Ingested files: the uploads' store and the project spaces' stores.
            "SRS_ACCESS_INGESTION_FILES_DIR": str(self.var_dir / "ingestion"),
            "SRS_ACCESS_PROJECT_SPACES_DIR": str(self.var_dir / "project-spaces"),
            # The operations monitor gathers each service's outbox state over HTTP.
            "SRS_OPS_SERVICE_URLS": json.dumps({s: self.url(s) for s in SERVICES if s != "ops"}),
            "SRS_NOTIFY_SMTP_HOST": "127.0.0.1",
            "SRS_NOTIFY_SMTP_PORT": str(self.smtp_port),
            **self._console_env(),
            **(self._portal_env() if "portal" in self.ports else {}),
            **self.extra_env,
        }
        if self.signing_key is not None:
            env["SRS_ACCESS_SIGNING_KEY_PEM"] = self.signing_key.private_pem
        return env

    def _console_env(self) -> dict[str, str]:
        """The operations console signs operators in at the access service (its
        registered client)."""
        ops = self.url("ops")
        return {
            "SRS_OPS_PUBLIC_URL": ops,
            "SRS_OPS_OIDC_ISSUER_URL": self.url("access"),
            "SRS_ACCESS_OIDC_ISSUER": self.url("access"),
            "SRS_ACCESS_CONSOLE_REDIRECT_URIS": json.dumps([f"{ops}/console/auth/callback"]),
            "SRS_ACCESS_CONSOLE_POST_LOGOUT_REDIRECT_URIS": json.dumps([f"{ops}/console"]),
        }

    def _portal_env(self) -> dict[str, str]:
        """The portal signs people in at the access service (its registered client) and
        calls the services' APIs; the notifier's e-mails link to it."""
        portal = self.url("portal")
        return {
            "SRS_PORTAL_PUBLIC_URL": portal,
            "SRS_PORTAL_OIDC_ISSUER_URL": self.url("access"),
            "SRS_ACCESS_OIDC_ISSUER": self.url("access"),
            "SRS_PORTAL_SERVICE_URLS": json.dumps({s: self.url(s) for s in SERVICES}),
            "SRS_ACCESS_PORTAL_REDIRECT_URIS": json.dumps([f"{portal}/auth/callback"]),
            "SRS_ACCESS_PORTAL_POST_LOGOUT_REDIRECT_URIS": json.dumps([f"{portal}/"]),
            "SRS_NOTIFY_PORTAL_URL": portal,
        }

    def front_ends(self) -> list[str]:
        return [f for f in FRONT_ENDS if f in self.ports]

    def _run(self, service: str, *args: str) -> None:
        subprocess.run(
            [sys.executable, "-m", f"srs_{service}", *args], env=self.env(service), check=True
        )

    def start(self, *, timeout: float = 60.0) -> None:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        (self.var_dir / "logs").mkdir(exist_ok=True)
        self.broker = start_broker(self.broker_port, log_path=self.var_dir / "logs" / "broker.log")
        try:
            # A local SMTP sink: every e-mail the notifier sends lands in var/mail/.
            sink_log = open(self.var_dir / "logs" / "smtp-sink.log", "ab")  # noqa: SIM115
            self.helpers["smtp-sink"] = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "srs_notify",
                    "smtp-sink",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.smtp_port),
                    "--directory",
                    str(self.var_dir / "mail"),
                ],
                env=self.env("notify"),
                stdout=sink_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

            # Each service's database is its own: migrate (and seed) them side by side.
            def prepare(service: str) -> None:
                self._run(service, "migrate")
                if service in SEEDED:
                    self._run(service, "seed")

            with ThreadPoolExecutor(max_workers=len(SERVICES)) as pool:
                list(pool.map(prepare, [*SERVICES, *self.front_ends()]))
            if self.single_process:
                self._start_together()
            else:
                for service in self.served:
                    command = [sys.executable, "-m", f"srs_{service}", "serve"]
                    self._start_process(service, command, self.env(service))
            self.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def _start_process(self, name: str, command: list[str], env: dict[str, str]) -> None:
        log = open(self.var_dir / "logs" / f"{name}.log", "ab")  # noqa: SIM115
        self.processes[name] = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def _start_together(self) -> None:
        """Every service in one process (:mod:`srs_common.together`), its environment the
        union of theirs: each service's own settings carry its name."""
        env: dict[str, str] = {}
        for service in self.served:
            env.update(self.env(service))
        metrics_port = self.metrics_ports[SERVICES[0]]
        self._start_process(
            "services",
            [sys.executable, "-m", "srs_common.together", *self.served]
            + ["--metrics-port", str(metrics_port)],
            env,
        )

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = set(self.served)
        while pending and time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{name} exited with {process.returncode}; see "
                        f"{self.var_dir / 'logs' / (name + '.log')}"
                    )
            for service in list(pending):
                try:
                    if httpx.get(f"{self.url(service)}/readyz", timeout=1).status_code == 200:
                        pending.discard(service)
                except httpx.HTTPError:
                    pass
            if pending:
                time.sleep(0.1)
        if pending:
            raise RuntimeError(f"not ready within {timeout}s: {sorted(pending)}")

    def wait_consumers(self, token: str, timeout: float = 60.0) -> None:
        """Wait until every service's consumer holds its partitions (a group join takes
        about half the session timeout), so the first event is not held up by it."""
        headers = {"Authorization": f"Bearer {token}"}
        deadline = time.monotonic() + timeout
        pending = set(self.served) - set(FRONT_ENDS)
        while pending and time.monotonic() < deadline:
            for service in list(pending):
                try:
                    state = httpx.get(
                        f"{self.url(service)}/v1/messaging", headers=headers, timeout=2
                    ).json()
                except (httpx.HTTPError, ValueError):
                    continue
                consumer = state.get("consumer")
                if consumer is None or consumer.get("assigned_partitions", 0) > 0:
                    pending.discard(service)
            if pending:
                time.sleep(0.1)
        if pending:
            raise RuntimeError(f"consumers not assigned within {timeout}s: {sorted(pending)}")

    def wait_drained(self, token: str, timeout: float = 120.0, settle: float = 0.3) -> float:
        """Wait until every outbox is empty and every consumer has read to the end of its
        partitions, twice in a row ``settle`` seconds apart (an event handled may publish
        another); returns the seconds waited."""
        headers = {"Authorization": f"Bearer {token}"}
        started = time.monotonic()
        quiet_since: float | None = None
        while time.monotonic() - started < timeout:
            busy = False
            for service in self.served:
                if service in FRONT_ENDS:
                    continue
                try:
                    state = httpx.get(
                        f"{self.url(service)}/v1/messaging", headers=headers, timeout=5
                    ).json()
                except (httpx.HTTPError, ValueError):
                    busy = True
                    break
                consumer = state.get("consumer") or {}
                if state.get("outbox_backlog") or (consumer and consumer.get("lag") != 0):
                    busy = True
                    break
            now = time.monotonic()
            if busy:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = now
            elif now - quiet_since >= settle:
                return now - started
            time.sleep(0.1)
        raise RuntimeError(f"the platform did not drain within {timeout}s")

    def stop(self) -> None:
        everything = [*self.processes.values(), *self.helpers.values()]
        for process in everything:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in everything:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        self.processes.clear()
        self.helpers.clear()
        if self.broker is not None:
            self.broker.stop()
            self.broker = None


BANNER = """
SRS platform is running (embedded default: Tansu broker in memory, SQLite under var/,
every service on its own port and database, all of them in one Python process).

  service         API                      OpenAPI docs
{rows}
  broker          {broker}
  metrics         {metrics} (every service's, labelled by service)

Get a token (demo users: alice, bob (researchers), panel, checker, support, ops, owner;
password "<user>-demo"):

  curl -s -X POST {access}/v1/auth/token \\
    -d grant_type=password -d username=alice -d password=alice-demo

or, signed locally with the same key:  make token ROLE=panel SUB=panel

Mail the notifier sends: var/mail/ (a local SMTP sink on 127.0.0.1:8025).
Operations console: http://127.0.0.1:8006/console (paste an ops or support token).
Logs: var/logs/services.log (each line names its service). Press Ctrl-C to stop everything.
"""


def main() -> None:
    var_dir = Path(os.environ.get("SRS_VAR_DIR", "var"))
    stack = Stack(
        var_dir=var_dir,
        broker_port=int(os.environ.get("SRS_BROKER_PORT", "9092")),
        log_json=False,
        single_process=True,
    )
    stop = False

    def _stop(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        stack.start()
        rows = "\n".join(f"  {s:<15} {stack.url(s):<24} {stack.url(s)}/docs" for s in SERVICES)
        rows += f"\n  {'portal':<15} {stack.url('portal'):<24} (web pages: open it in a browser)"
        print(
            BANNER.format(
                rows=rows,
                broker=stack.broker.bootstrap if stack.broker else "?",
                metrics=stack.metrics_url(SERVICES[0]),
                access=stack.url("access"),
            ),
            flush=True,
        )
        while not stop:
            for name, process in stack.processes.items():
                if process.poll() is not None:
                    print(f"{name} exited with {process.returncode}; stopping", flush=True)
                    stop = True
            time.sleep(0.5)
    finally:
        print("stopping...", flush=True)
        stack.stop()
        print("stopped.", flush=True)


if __name__ == "__main__":
    main()
