"""Several services of the platform in one process: what ``make run`` starts.

    python -m srs_common.together accreditation projects ... portal --metrics-port 9001

Each service keeps what makes it independent: its own settings, port, database,
migrations, outbox relay, consumer group and jobs. They reach each other only as they do
apart, over HTTP and through the broker. What they share is the interpreter: the ~100 MB
resident that Python, FastAPI, SQLAlchemy, pydantic, aiokafka and cryptography cost a
process is paid once instead of once per service, and one event loop idles instead of
eight. This is the "monolithic" mode of systems such as Grafana Loki or Mimir, for a
laptop or a small pod. A deployment runs every service, and its relay and workers, as
processes of their own (``python -m srs_<svc> serve|relay|worker``, deploy/), and so do
the end-to-end tests that prove them apart (:class:`srs_common.devstack.Stack`).

Every log line names the service it comes from; one metrics port exposes every
service's series, labelled by service.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

import uvicorn

from srs_common.app import metrics_refresher
from srs_common.cli import SERVER_OPTIONS, release_import_memory
from srs_common.metrics import MetricsApp, MetricsServer
from srs_common.observability import configure_logging, service_name

if TYPE_CHECKING:
    from fastapi import FastAPI

log = logging.getLogger(__name__)


@dataclass
class Served:
    """One service's app and the uvicorn server that serves it in this process."""

    name: str
    app: FastAPI
    server: uvicorn.Server


def build(names: list[str]) -> list[Served]:
    """Each service's app, as ``srs_<name>.app.create_app()`` builds it from its own
    settings (the environment), and a uvicorn server on the port those settings give."""
    served = []
    for name in names:
        app: FastAPI = import_module(f"srs_{name}.app").create_app()
        settings = app.state.settings
        config = uvicorn.Config(
            app, host=settings.host, port=settings.port, lifespan="on", **SERVER_OPTIONS
        )
        config.load()
        server = uvicorn.Server(config)
        server.lifespan = config.lifespan_class(config)
        served.append(Served(name, app, server))
    return served


async def _start(one: Served) -> bool:
    """Start ``one`` (its lifespan, then its socket) with the service's name in the
    context: this runs as a task of its own, and the lifespan's task, the relay's, the
    consumers', the jobs' and the connections' handlers all descend from it, so their
    log lines name the service. False when it could not start (uvicorn has logged why
    and ended what it had begun)."""
    service_name.set(one.name)
    try:
        await one.server.startup()
    except SystemExit:  # uvicorn's way of saying so (a failed lifespan, a port taken)
        return False
    return True


async def _stop(one: Served) -> None:
    service_name.set(one.name)
    one.server.should_exit = True
    await one.server.shutdown()


async def refresh_all(served: list[Served]) -> None:
    """Before a scrape: each service's gauges read at scrape time (the outbox backlog)."""
    for one in served:
        runtime = getattr(one.app.state, "runtime", None)
        if runtime is not None:
            await metrics_refresher(one.app.state.spec, runtime)()


async def serve(served: list[Served], *, metrics_port: int | None, host: str) -> int:
    """Start every server in order (lifespans and sockets), tick them until SIGINT or
    SIGTERM or until one of them must exit, then stop them in the reverse order. The
    process's exit status: 1 when a service could not start, else 0."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    started: list[Served] = []
    metrics = None
    try:
        for one in served:
            if not await asyncio.create_task(_start(one)):
                log.error("%s could not start: stopping every service", one.name)
                return 1
            started.append(one)
        if metrics_port is not None:
            metrics = MetricsServer(MetricsApp(lambda: refresh_all(served)), host, metrics_port)
            await metrics.start()
        log.info("serving %s in one process", ", ".join(one.name for one in served))
        # uvicorn's own loop ticks ten times a second to refresh the Date header once a
        # second; once a second is enough here.
        while not stop.is_set():
            for one in served:
                if await one.server.on_tick(0):
                    stop.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)
        return 0
    finally:
        if metrics is not None:
            await metrics.stop()
        for one in reversed(started):
            await asyncio.create_task(_stop(one))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m srs_common.together",
        description="Several services in one process, each on its own port and database.",
    )
    parser.add_argument("services", nargs="+", help="e.g. access accreditation ... portal")
    parser.add_argument("--metrics-port", type=int, help="every service's metrics, labelled")
    parser.add_argument("--metrics-host", default="127.0.0.1")
    args = parser.parse_args(argv)
    served = build(args.services)
    # Each app configured logging for its own service; a line from none of them (the
    # metrics server, this module) names the process.
    platform = served[0].app.state.settings.platform
    configure_logging("services", level=platform.log_level, json_logs=platform.log_json)
    release_import_memory()
    sys.exit(asyncio.run(serve(served, metrics_port=args.metrics_port, host=args.metrics_host)))


if __name__ == "__main__":
    main()
