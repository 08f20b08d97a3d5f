"""Request bodies over a size limit get ``413 Content Too Large`` (problem+json).

The limit is a service setting (``max_body_bytes``, 1 MiB by default); routes that take
large bodies (output files, streamed CSV) declare their own limit, or none, by a path
regular expression in the :class:`~srs_common.app.ServiceSpec`. A declared ``Content-Length`` over
the limit is refused before the body is read; a chunked body is counted as it streams.

The same guard refuses the NUL character (which no database text column stores) in
path parameters, query parameters and JSON or form bodies with a 422 naming the parameter
or field (``path.project_id``, ``query.status``, ``body.title``), where it would otherwise
fail as a 500 on PostgreSQL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from srs_common.errors import problem


class _TooLarge(Exception):
    pass


class _HasNul(Exception):
    pass


NUL_MARKERS = (b"\\u0000", b"\x00", b"%00")


def _textual(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return bool(
                value.startswith((b"application/json", b"application/x-www-form-urlencoded"))
            )
    return False


async def _refuse_nul(scope: Scope, receive: Receive, send: Send, *, field: str = "path") -> None:
    response = problem(
        422,
        "Invalid input",
        f"invalid fields: {field} (NUL character)",
        instance=scope.get("path"),
        errors=[
            {
                "field": field,
                "message": "text may not contain the NUL character",
                "type": "string_nul",
            }
        ],
    )
    await response(scope, receive, send)


def _path_templates(app: object) -> list[re.Pattern[str]]:
    """The app's documented paths as patterns naming their parameters (kept on the app)."""
    state = getattr(app, "state", None)
    cached = getattr(state, "nul_path_templates", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    openapi = getattr(app, "openapi", None)
    paths = openapi().get("paths", {}) if callable(openapi) else {}
    templates = [
        re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path)) + "$")
        for path in paths
        if "{" in path
    ]
    if state is not None:
        state.nul_path_templates = templates
    return templates


def _nul_in_path(scope: Scope) -> str:
    """The path parameter holding a NUL (``path.<name>``), as validation errors name it."""
    path = scope.get("path", "")
    for template in _path_templates(scope.get("app")):
        found = template.fullmatch(path)
        if found is not None:
            for name, value in found.groupdict().items():
                if "\x00" in value:
                    return f"path.{name}"
    return "path"


def _nul_in_query(scope: Scope) -> str | None:
    """The query parameter holding a NUL (``query.<name>``), or None."""
    raw = scope.get("query_string", b"")
    if not any(marker in raw for marker in (b"\x00", b"%00")):
        return None
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return f"query.{name.replace(chr(0), '')}"
    return None


def _nul_field(body: bytes) -> str:
    """Where the NUL is, as validation errors name fields (``body.title``, ``body.ids.1``)."""
    try:
        document = json.loads(body)
    except ValueError:
        return "body"

    def find(value: object, path: list[str]) -> list[str] | None:
        if isinstance(value, str):
            return path if "\x00" in value else None
        items = (
            value.items()
            if isinstance(value, dict)
            else (enumerate(value) if isinstance(value, list) else ())
        )
        for key, item in items:
            if isinstance(key, str) and "\x00" in key:
                return [*path, key.replace("\x00", "")]
            found = find(item, [*path, str(key)])
            if found is not None:
                return found
        return None

    return ".".join(find(document, ["body"]) or ["body"])


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
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", ""):
            await _refuse_nul(scope, receive, send, field=_nul_in_path(scope))
            return
        in_query = _nul_in_query(scope)
        if in_query is not None:
            await _refuse_nul(scope, receive, send, field=in_query)
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
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
        # NUL cannot be stored as text (PostgreSQL refuses it): refuse it in JSON and
        # form bodies up front with a 422, rather than fail later with a 500.
        textual = _textual(scope)
        tail = b""
        seen: list[bytes] = []
        nul = False

        async def counted_receive() -> Message:
            nonlocal received, exceeded, tail, nul
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                received += len(chunk)
                if received > limit:
                    exceeded = True
                    raise _TooLarge
                if textual:
                    seen.append(chunk)
                    window = tail + chunk
                    if any(marker in window for marker in NUL_MARKERS):
                        nul = True
                        more = message.get("more_body", False)
                        while more:  # read the rest, to name the field in the answer
                            rest = await receive()
                            seen.append(rest.get("body", b""))
                            more = rest.get("more_body", False)
                        raise _HasNul
                    tail = window[-6:]
            return message

        async def guarded_send(message: Message) -> None:
            # Frameworks turn a failed body read into their own 400; answer 413 instead.
            nonlocal replaced
            if not exceeded:
                await send(message)
            elif not replaced:
                replaced = True
                await self._refuse(scope, receive, send, limit)

        async def nul_guarded_send(message: Message) -> None:
            # Frameworks turn a failed body read into their own 400: answer 422 instead.
            if not nul:
                await guarded_send(message)

        try:
            await self.app(scope, counted_receive, nul_guarded_send)
        except _TooLarge:
            if not replaced:
                await self._refuse(scope, receive, send, limit)
            return
        except _HasNul:
            pass
        if nul:
            await _refuse_nul(scope, receive, send, field=_nul_field(b"".join(seen)))

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = problem(
            413,
            "Content too large",
            f"the request body exceeds the limit of {limit} bytes",
            instance=scope.get("path"),
            limit=limit,
        )
        await response(scope, receive, send)
