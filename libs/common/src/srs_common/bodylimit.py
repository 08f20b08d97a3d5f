"""Request bodies over a size limit get ``413 Content Too Large`` (problem+json).

The limit is a service setting (``max_body_bytes``, 1 MiB by default); routes that take
large bodies (output files, streamed CSV) declare their own limit, or none, by a path
regular expression in the :class:`~srs_common.app.ServiceSpec`. A declared ``Content-Length`` over
the limit is refused before the body is read; a chunked body is counted as it streams.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from srs_common.errors import problem


class _TooLarge(Exception):
    pass


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, default: int, overrides: Mapping[str, int | None]) -> None:
        self.app = app
        self.default = default
        self.overrides = [(re.compile(pattern), limit) for pattern, limit in overrides.items()]

    def limit_for(self, path: str) -> int | None:
        for pattern, limit in self.overrides:
            if pattern.fullmatch(path):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        if limit is None:
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > limit:
                    await self._refuse(scope, receive, send, limit)
                    return
                break
        received = 0
        exceeded = False
        replaced = False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # Frameworks turn a failed body read into their own 400; answer 413 instead.
            nonlocal replaced
            if not exceeded:
                await send(message)
            elif not replaced:
                replaced = True
                await self._refuse(scope, receive, send, limit)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except _TooLarge:
            if not replaced:
                await self._refuse(scope, receive, send, limit)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = problem(413, "Content too large",
                           f"the request body exceeds the limit of {limit} bytes",
                           instance=scope.get("path"), limit=limit)
        await response(scope, receive, send)
