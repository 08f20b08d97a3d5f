"""``python -m srs_<svc> serve|relay|worker|migrate`` for every service."""

from __future__ import annotations

import argparse
import asyncio
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

import uvicorn

from srs_common.app import Runtime, ServiceSpec, create_service_app, make_database
from srs_common.config import ServiceSettings
from srs_common.migrations import autogenerate, upgrade
from srs_common.observability import configure_logging


async def _run_background(spec: ServiceSpec, settings: ServiceSettings, *, relay: bool,
                          consumers: bool) -> None:
    configure_logging(spec.name, level=settings.platform.log_level,
                      json_logs=settings.platform.log_json)
    runtime = Runtime(settings=settings, db=make_database(spec, settings))
    runtime.start_background(spec, relay=relay, consumers=consumers, jobs=consumers)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runtime.stop()


def main(spec_factory: Callable[[], ServiceSpec], settings_factory: Callable[[], ServiceSettings],
         migrations_dir: Path, seed: Callable[[ServiceSettings], Awaitable[None]] | None = None,
         argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m srs_{spec_factory().name}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="HTTP API (with relay and consumers unless disabled)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    sub.add_parser("relay", help="the outbox relay alone")
    sub.add_parser("worker", help="consumers and periodic jobs alone")
    sub.add_parser("migrate", help="apply database migrations")
    revision = sub.add_parser("revision", help="autogenerate a migration from the models")
    revision.add_argument("-m", "--message", required=True)
    if seed is not None:
        sub.add_parser("seed", help="load demo reference data (idempotent)")
    args = parser.parse_args(argv)
    settings = settings_factory()
    spec = spec_factory()
    if args.command == "migrate":
        upgrade(migrations_dir, settings.database_url)
    elif args.command == "revision":
        autogenerate(migrations_dir, args.message)
    elif args.command == "seed" and seed is not None:
        asyncio.run(seed(settings))
    elif args.command == "relay":
        asyncio.run(_run_background(spec, settings, relay=True, consumers=False))
    elif args.command == "worker":
        asyncio.run(_run_background(spec, settings, relay=False, consumers=True))
    else:
        app = create_service_app(spec, settings)
        uvicorn.run(app, host=args.host or settings.host, port=args.port or settings.port,
                    log_config=None, access_log=False, lifespan="on")
