"""``Idempotency-Key`` on every POST, implemented once for every service.

The first response for a key (per authenticated caller) is stored and returned, byte for
byte with ``Idempotent-Replayed: true``, for retries with the same request; the same key
with a different request is 422; a retry while the first is still running is 409. Keys
expire after ``idempotency_ttl_hours`` (24 h). 5xx responses are not stored, so a retry
runs again. Requests without a valid token are not de-duplicated (a key must never let
one caller see another's response).

The record is claimed (unique row) before the request runs, so concurrent retries with
one key create one resource. It is completed after the request's own transaction: a
crash in between leaves the key "in progress" until it expires - never a second effect.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from srs_common.db import UTCDateTime, is_transient, utcnow
from srs_common.errors import problem
from srs_common.ratelimit import principal_of

log = logging.getLogger(__name__)

MAX_KEY_LENGTH = 255
# Completing a key waits out a database outage of up to about 30 s.
COMPLETE_ATTEMPTS = 10
MAX_BUFFERED_BYTES = 20 * 1024 * 1024
MAX_STORED_RESPONSE = 1024 * 1024
REPLAYED_HEADERS = {b"content-type", b"location", b"etag", b"x-correlation-id"}


def idempotency_table(metadata: MetaData) -> Table:
    """Declare the idempotency record table on a service's metadata."""
    return Table(
        "idempotency_record",
        metadata,
        Column("scope", String(200), primary_key=True),
        Column("key", String(MAX_KEY_LENGTH), primary_key=True),
        Column("fingerprint", String(64), nullable=False),
        Column("state", String(20), nullable=False),
        Column("response_status", Integer, nullable=True),
        Column("response_headers", Text, nullable=True),
        Column("response_body", LargeBinary, nullable=True),
        Column("created_at", UTCDateTime(), nullable=False),
    )


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, table: Table, ttl_hours: int = 24) -> None:
        self.app = app
        self.table = table
        self.ttl = dt.timedelta(hours=ttl_hours)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        key = None
        for name, value in scope.get("headers", ()):
            if name == b"idempotency-key":
                key = value.decode("latin-1")
                break
        if key is None:
            await self.app(scope, receive, send)
            return
        if not key or len(key) > MAX_KEY_LENGTH:
            await problem(
                422, "Invalid Idempotency-Key", f"the key must be 1 to {MAX_KEY_LENGTH} characters"
            )(scope, receive, send)
            return
        app = scope["app"]
        principal = await principal_of(scope, getattr(app.state, "verifier", None))
        if principal is None:
            await self.app(scope, receive, send)
            return

        body, more = await _read_body(receive)
        if more:  # too large to buffer: not de-duplicated
            await self.app(scope, _replay_then(body, receive, more=True), send)
            return
        fingerprint = _fingerprint(scope, body)
        db = app.state.runtime.db
        scope_id = f"{principal.sub}"[:200]
        claimed = await self._claim(db, scope_id, key, fingerprint)
        if claimed is not True:
            await claimed(scope, receive, send)
            return

        status = 500
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0

        async def capture(message: Message) -> None:
            nonlocal status, start, size
            if message["type"] == "http.response.start":
                status = message["status"]
                start = message
            elif message["type"] == "http.response.body":
                chunk = message.get("body", b"")
                size += len(chunk)
                if size <= MAX_STORED_RESPONSE:
                    chunks.append(chunk)
            await send(message)

        try:
            await self.app(scope, _replay_then(body, receive), capture)
        finally:
            await self._complete(
                db,
                scope_id,
                key,
                status,
                start,
                b"".join(chunks),
                storable=status < 500 and size <= MAX_STORED_RESPONSE,
            )

    async def _claim(self, db: Any, scope_id: str, key: str, fingerprint: str) -> Any:
        table = self.table
        for _ in range(2):
            try:
                async with db.engine.begin() as conn:
                    await conn.execute(
                        insert(table).values(
                            scope=scope_id,
                            key=key,
                            fingerprint=fingerprint,
                            state="in_progress",
                            created_at=utcnow(),
                        )
                    )
                return True
            except IntegrityError:
                pass
            async with db.engine.begin() as conn:
                row = (
                    await conn.execute(
                        select(table).where(table.c.scope == scope_id).where(table.c.key == key)
                    )
                ).first()
                if row is None:
                    continue
                if row.created_at < utcnow() - self.ttl:
                    await conn.execute(
                        delete(table).where(table.c.scope == scope_id).where(table.c.key == key)
                    )
                    continue
            if row.fingerprint != fingerprint:
                return problem(
                    422,
                    "Idempotency-Key reused",
                    "this Idempotency-Key was used with a different request",
                )
            if row.state != "done":
                return problem(
                    409,
                    "Request in progress",
                    "a request with this Idempotency-Key is still being processed",
                    headers={"Retry-After": "1"},
                )
            return _stored_response(row)
        return problem(
            409, "Request in progress", "retry the request", headers={"Retry-After": "1"}
        )

    async def _complete(
        self,
        db: Any,
        scope_id: str,
        key: str,
        status: int,
        start: Message | None,
        body: bytes,
        *,
        storable: bool,
    ) -> None:
        """Store the response (or release the key after a 5xx). The client already has
        its answer, so a database that is briefly away is waited for: otherwise the key
        would stay "in progress" and every retry would be refused until it expires."""
        table = self.table
        where = (table.c.scope == scope_id) & (table.c.key == key)
        delay = 0.1
        for attempt in range(COMPLETE_ATTEMPTS):
            try:
                async with db.engine.begin() as conn:
                    if not storable or start is None:
                        await conn.execute(delete(table).where(where))
                        return
                    headers = [
                        [k.decode("latin-1"), v.decode("latin-1")]
                        for k, v in start.get("headers", ())
                        if k.lower() in REPLAYED_HEADERS
                    ]
                    await conn.execute(
                        update(table)
                        .where(where)
                        .values(
                            state="done",
                            response_status=status,
                            response_headers=json.dumps(headers),
                            response_body=body,
                        )
                    )
                    return
            except Exception as exc:
                if not is_transient(exc) or attempt == COMPLETE_ATTEMPTS - 1:
                    log.error("idempotency key %s left in progress: %r", key, exc)
                    return
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)


class _StoredResponse:
    def __init__(self, status: int, headers: list[list[str]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = [
            (k.encode("latin-1"), v.encode("latin-1"))
            for k, v in self.headers
            if k.lower() != "content-length"
        ]
        raw += [
            (b"content-length", str(len(self.body)).encode()),
            (b"idempotent-replayed", b"true"),
        ]
        await send({"type": "http.response.start", "status": self.status, "headers": raw})
        await send({"type": "http.response.body", "body": self.body})


def _stored_response(row: Any) -> _StoredResponse:
    return _StoredResponse(
        row.response_status, json.loads(row.response_headers or "[]"), row.response_body or b""
    )


def _fingerprint(scope: Scope, body: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(scope["method"].encode())
    digest.update(scope.get("path", "").encode())
    digest.update(b"?" + scope.get("query_string", b""))
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            digest.update(value)
    digest.update(body)
    return digest.hexdigest()


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """Buffer the request body; ``more`` is True if it exceeded the buffer limit."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False
        if size > MAX_BUFFERED_BYTES:
            return b"".join(chunks), True


def _replay_then(body: bytes, receive: Receive, *, more: bool = False) -> Receive:
    """Hand the app the buffered body first, then (if ``more``) the rest of the stream."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return replay
