"""``python -m srs_<svc> serve|relay|worker|migrate`` for every service."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import uvicorn

from srs_common.app import ServiceSpec, create_service_app
from srs_common.config import ServiceSettings


def main(spec_factory: Callable[[], ServiceSpec], settings_factory: Callable[[], ServiceSettings],
         migrations_dir: Path, seed: Callable[[ServiceSettings], Awaitable[None]] | None = None,
         argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m srs_{spec_factory().name}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="HTTP API (with relay and consumers unless disabled)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    for name, text in (("relay", "the outbox relay alone"),
                       ("worker", "consumers and periodic jobs alone")):
        alone = sub.add_parser(name, help=f"{text} (HTTP: health, readiness, metrics only)")
        alone.add_argument("--host")
        alone.add_argument("--port", type=int)
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
    elif args.command in ("relay", "worker"):
        relay = args.command == "relay"
        alone = settings.model_copy(update={"run_relay": relay, "run_consumers": not relay})
        app = create_service_app(spec, alone, api=False)
        uvicorn.run(app, host=args.host or settings.host, port=args.port or settings.port,
                    log_config=None, access_log=False, lifespan="on")
    else:
        app = create_service_app(spec, settings)
        uvicorn.run(app, host=args.host or settings.host, port=args.port or settings.port,
                    log_config=None, access_log=False, lifespan="on")
