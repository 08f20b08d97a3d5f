"""``python -m srs_<svc> serve|relay|worker|migrate`` for every service."""

from __future__ import annotations

import argparse
import asyncio
import gc
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import uvicorn

# Starlette and FastAPI run request work (dependency clean-up scopes, thread pools,
# streamed bodies) through anyio, which imports its asyncio backend (3,300 lines) at the
# first request that needs it. Load it before the rest of the platform instead: the first
# request does not pay for it, and where no bytecode cache exists the memory spent
# compiling it (7 MB for a moment) is reused by the imports below instead of raising the
# process's peak when the first request comes.
anyio.get_available_backends()

from srs_common.app import ServiceSpec, create_service_app  # noqa: E402
from srs_common.config import InsecureSettings, ServiceSettings  # noqa: E402
from srs_common.httpwrites import CoalescingHttpToolsProtocol  # noqa: E402
from srs_common.metrics import metrics_port_for  # noqa: E402

if TYPE_CHECKING:
    from fastapi import FastAPI


# A service's own settings class, so its seed may take it (not only the base class).
SettingsT = TypeVar("SettingsT", bound=ServiceSettings)


def main(
    spec_factory: Callable[[], ServiceSpec],
    settings_factory: Callable[[], SettingsT],
    migrations_dir: Path,
    seed: Callable[[SettingsT], Coroutine[Any, Any, None]] | None = None,
    argv: list[str] | None = None,
) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m srs_{spec_factory().name}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="HTTP API (with relay and consumers unless disabled)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument(
        "--metrics-port",
        type=int,
        help="Prometheus metrics (default: the metrics_port setting, else the API port + 1000)",
    )
    for name, text in (
        ("relay", "the outbox relay alone"),
        ("worker", "consumers and periodic jobs alone"),
    ):
        part = sub.add_parser(name, help=f"{text} (HTTP: probes, messaging state)")
        part.add_argument("--host")
        part.add_argument("--port", type=int)
        part.add_argument("--metrics-port", type=int)
    sub.add_parser("migrate", help="apply database migrations")
    revision = sub.add_parser("revision", help="autogenerate a migration from the models")
    revision.add_argument("-m", "--message", required=True)
    if seed is not None:
        sub.add_parser("seed", help="load demo reference data (idempotent)")
    args = parser.parse_args(argv)
    settings = settings_factory()
    spec = spec_factory()
    if args.command in ("migrate", "revision"):
        # Alembic is imported only here: a serving process never needs its ~10 MB.
        from srs_common.migrations import autogenerate, upgrade

        if args.command == "migrate":
            upgrade(migrations_dir, settings.database_url)
        else:
            autogenerate(migrations_dir, args.message)
    elif args.command == "seed" and seed is not None:
        asyncio.run(seed(settings))
    else:
        port = args.port or settings.port
        metrics_port = metrics_port_for(port, args.metrics_port or settings.metrics_port)
        try:  # create_service_app refuses development secrets in production mode
            if args.command in ("relay", "worker"):
                relay = args.command == "relay"
                alone = settings.model_copy(update={"run_relay": relay, "run_consumers": not relay})
                app = create_service_app(spec, alone, api=False, metrics_port=metrics_port)
            else:
                app = create_service_app(spec, settings, metrics_port=metrics_port)
        except InsecureSettings as exc:
            parser.exit(2, f"{exc}\n")
        run_server(app, host=args.host or settings.host, port=port)


# How every API server runs, alone (run_server) or beside others (srs_common.together):
# the platform's own JSON logs, no access log, no WebSocket, asyncio's loop, and each
# response sent in one socket write (srs_common.httpwrites).
SERVER_OPTIONS: dict[str, Any] = {
    "http": CoalescingHttpToolsProtocol,
    "log_config": None,
    "access_log": False,
    "ws": "none",
    "loop": "asyncio",
}


def run_server(app: FastAPI, *, host: str, port: int) -> None:
    """Serve ``app`` with uvicorn, the imports' leftovers returned to the OS first.

    No service has a WebSocket route, so uvicorn loads no WebSocket implementation. The
    event loop is asyncio's own: uvloop would add 2.3 MB resident to every process to
    save about 30 us of CPU per request (measured on /healthz: ~150 against ~180 us),
    about 2 % of a route that queries the database (1.4 to 2.2 ms)."""
    release_import_memory()
    uvicorn.run(app, host=host, port=port, lifespan="on", **SERVER_OPTIONS)


def release_import_memory() -> None:
    """Collect what importing the platform left behind, keep the survivors (they live as
    long as the process) out of later collections, and hand freed heap back to the OS.

    Compiling and importing pydantic, FastAPI and SQLAlchemy leaves freed memory resident
    in the C heap; trimming it before the server starts lowers the process's resident
    set, and its peak, by about 2 MB for the rest of its life.

    glibc's trim and mmap thresholds are left to adjust themselves: fixed at their
    defaults (mallopt) they saved an access replica 0.5 MB of peak while it streamed a
    CSV, but every block over 128 KB (a large JSON body) then costs an mmap and its page
    faults: a 600 KB JSON round trip took 8-20 % longer."""
    gc.collect()
    gc.freeze()
    import ctypes

    try:
        malloc_trim = ctypes.CDLL(None).malloc_trim  # the C library the process runs on
    except (OSError, AttributeError):  # not glibc: musl and macOS have no malloc_trim
        return
    malloc_trim(0)
