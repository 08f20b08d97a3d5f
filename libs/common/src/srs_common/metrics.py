"""Prometheus metrics on a port of their own, never on the API port.

The API port is the one the ingress exposes; the metrics port is reached only inside the
cluster (the ``srs-<svc>-metrics`` Service, scraped by the ServiceMonitor, and let through
by the NetworkPolicy only from the monitoring namespace). Each serving process (``serve``,
``relay``, ``worker``: one uvicorn process, no workers) runs a second, tiny HTTP server in
its own event loop that answers ``GET /metrics`` and nothing else.

The port is the service's ``metrics_port`` setting (``SRS_<SVC>_METRICS_PORT``); unset, it
is the API port plus :data:`METRICS_PORT_OFFSET` (accreditation 8001 -> 9001, ...).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import Receive, Scope, Send

log = logging.getLogger(__name__)

METRICS_PORT_OFFSET = 1000


def metrics_port_for(api_port: int, configured: int | None) -> int:
    """The metrics port of a process serving its API on ``api_port``."""
    return configured if configured is not None else api_port + METRICS_PORT_OFFSET


class MetricsApp:
    """ASGI app: ``GET /metrics`` is the Prometheus exposition, anything else a 404."""

    def __init__(self, refresh: Callable[[], Awaitable[None]] | None = None) -> None:
        # Called before each scrape: gauges read at scrape time (the outbox backlog).
        self.refresh = refresh

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == "/metrics" and scope["method"] in ("GET", "HEAD"):
            if self.refresh is not None:
                with contextlib.suppress(Exception):
                    await self.refresh()
            status, body, content_type = 200, generate_latest(), CONTENT_TYPE_LATEST
        else:
            status, body, content_type = 404, b"not found\n", "text/plain; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", content_type.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
        )


class MetricsServer:
    """The metrics HTTP server of one process, run in that process's event loop."""

    def __init__(self, app: MetricsApp, host: str, port: int) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._server: Any = None
        self._socket: socket.socket | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Bind and serve. A port already taken is logged and the process serves on
        without metrics: its API matters more than its scrape."""
        import uvicorn  # only a serving process needs it

        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError as exc:
            sock.close()
            log.error(
                "metrics port %s:%s unavailable (%s): no metrics from this process",
                self.host,
                self.port,
                exc,
            )
            return
        sock.set_inheritable(True)
        config = uvicorn.Config(
            self.app, lifespan="off", log_config=None, access_log=False, ws="none", loop="asyncio"
        )
        config.load()
        server = uvicorn.Server(config)
        server.lifespan = config.lifespan_class(config)
        # Not ``serve()``: that would take over the process's signal handlers, which belong
        # to the API server.
        await server.startup(sockets=[sock])
        self._server, self._socket = server, sock
        self._task = asyncio.create_task(server.main_loop(), name="metrics-server")
        log.info("metrics on http://%s:%s/metrics", self.host, self.port)

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.should_exit = True
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._server.shutdown(sockets=[self._socket] if self._socket else None)
        self._server = None
