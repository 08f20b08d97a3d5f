"""A real partner endpoint for the webhook tests: a Starlette app served by uvicorn on a
free port, which verifies each request's Standard Webhooks signature by hand (hmac) and
can be told to fail its first N requests or to redirect."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def expected_signature(secret: str, message_id: str, timestamp: str, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    valid_signature: bool

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str = ""
    secrets: list[str] = field(default_factory=list)
    fail_first: int = 0
    fail_always: bool = False
    # Answer every request with a 307 to this URL (a redirect must not be followed).
    redirect_to: str | None = None
    requests: list[Received] = field(default_factory=list)

    @property
    def delivered(self) -> list[Received]:
        """Requests it answered with success."""
        return self.requests[self.fail_first :] if not self.fail_always else []

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        offered = [
            s.split(",", 1)[1]
            for s in headers.get("webhook-signature", "").split()
            if s.startswith("v1,")
        ]
        valid = any(
            hmac.compare_digest(
                expected_signature(
                    secret, headers["webhook-id"], headers["webhook-timestamp"], body
                ),
                signature,
            )
            for secret in self.secrets
            for signature in offered
        )
        self.requests.append(Received(headers, body, valid))
        if self.redirect_to is not None:
            return Response(status_code=307, headers={"location": self.redirect_to})
        if self.fail_always or len(self.requests) <= self.fail_first:
            return Response("unavailable", status_code=503)
        return Response(status_code=204 if valid else 401)


@contextlib.asynccontextmanager
async def running_receiver(**options: Any) -> AsyncIterator[Receiver]:
    receiver = Receiver(**options)
    app = Starlette(routes=[Route("/hooks", receiver.handle, methods=["POST"])])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    receiver.url = f"http://127.0.0.1:{port}/hooks"
    try:
        yield receiver
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)
        sock.close()
