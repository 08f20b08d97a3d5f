"""Server-side web sessions behind a signed, HttpOnly, SameSite=Lax cookie.

The cookie holds only a random id, signed (``itsdangerous``) with the service's session
secret; the session's contents (a pending sign-in, then the person's tokens) stay in the
service's own database, in a table whose model takes :class:`WebSessionColumns`, keyed by
the id's SHA-256 (so a copy of the table resumes no one's session). A row idles out after
``idle_seconds`` without a change; :meth:`WebSessions.purge_forever` deletes expired rows.

:meth:`WebSessions.serve` gives what it wraps ``scope["session"]``, the dict Starlette's
``request.session`` reads (Authlib keeps its state, nonce and PKCE verifier there), and
writes it back when the response starts: a changed session is saved (a new one gets a
cookie), an emptied one is deleted with its cookie, and a view that sets
``scope[rotate_key]`` moves the session to a fresh id (done at sign-in, against session
fixation). Lax, not Strict: the provider's redirect back to the callback is a cross-site
navigation when the provider is another site, and must carry the cookie that holds the
pending sign-in.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import secrets
from http.cookies import CookieError, SimpleCookie
from typing import Any, cast

from itsdangerous import BadSignature, Signer
from sqlalchemy import JSON, CursorResult, String, delete
from sqlalchemy.orm import Mapped, mapped_column
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from srs_common.db import Database, UTCDateTime, utcnow

log = logging.getLogger(__name__)


class WebSessionColumns:
    """The columns of a session table (a mixin for the service's declarative model)."""

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def cookie_value(scope: Scope, name: str) -> str | None:
    """The value of the request's cookie ``name``; None when absent or when a cookie
    header is malformed (no session)."""
    cookies: SimpleCookie = SimpleCookie()
    for key, value in scope.get("headers", ()):
        if key == b"cookie":
            try:
                cookies.load(value.decode("latin-1"))
            except CookieError:
                return None
    return cookies[name].value if name in cookies else None


class WebSessions:
    """One service's session store (its table, cookie and secret) and the code that
    loads a request's session and writes it back."""

    def __init__(
        self,
        model: type[WebSessionColumns],
        *,
        secret: str,
        salt: str,
        cookie: str,
        rotate_key: str,
        idle_seconds: int,
        secure: bool,
        db: Database | None = None,
    ) -> None:
        self.model: Any = model  # a mapped class: its columns build the queries
        self.signer = Signer(secret, salt=salt)
        self.cookie = cookie
        self.rotate_key = rotate_key
        self.idle_seconds = idle_seconds
        self.secure = secure
        self.db = db  # may be set later, by the lifespan that opens the database

    def _database(self) -> Database:
        if self.db is None:
            raise RuntimeError("the session store has no database yet (the lifespan sets it)")
        return self.db

    def session_id(self, cookie: str | None) -> str | None:
        """The session id a signed cookie carries; None when absent or forged."""
        if not cookie:
            return None
        try:
            return self.signer.unsign(cookie).decode()
        except BadSignature:
            return None

    def request_session_id(self, scope: Scope) -> str | None:
        return self.session_id(cookie_value(scope, self.cookie))

    async def load(self, session_id: str) -> dict[str, Any] | None:
        """The session's contents; None when there is none or it has idled out."""
        async with self._database().transaction() as session:
            row = await session.get(self.model, _hash(session_id))
            if row is None:
                return None
            if row.expires_at <= utcnow():
                await session.delete(row)
                return None
            return dict(row.data)

    async def save(self, session_id: str, data: dict[str, Any]) -> None:
        now = utcnow()
        expires = now + dt.timedelta(seconds=self.idle_seconds)
        async with self._database().transaction() as session:
            row = await session.get(self.model, _hash(session_id))
            if row is None:
                session.add(
                    self.model(
                        id_hash=_hash(session_id), data=data, created_at=now, expires_at=expires
                    )
                )
            else:
                row.data, row.expires_at = data, expires

    async def drop(self, session_id: str) -> None:
        async with self._database().transaction() as session:
            await session.execute(delete(self.model).where(self.model.id_hash == _hash(session_id)))

    async def purge_expired(self) -> int:
        """Delete every session past its idle expiry; how many went."""
        async with self._database().transaction() as session:
            # DML answers a CursorResult (which has rowcount); AsyncSession.execute is
            # typed as answering its Result base class.
            result = cast(
                "CursorResult[Any]",
                await session.execute(delete(self.model).where(self.model.expires_at <= utcnow())),
            )
            return int(result.rowcount or 0)

    async def purge_forever(self, every_seconds: float) -> None:
        """A background sweep of expired sessions (a lifespan's task or a service job)."""
        while True:
            try:
                await self.purge_expired()
            except Exception:  # noqa: BLE001 - a database hiccup: try again next time
                log.warning(
                    "expired sessions (%s) could not be purged",
                    self.model.__tablename__,
                    exc_info=True,
                )
            await asyncio.sleep(every_seconds)

    def cookie_header(self, value: str, max_age: int) -> str:
        cookie: SimpleCookie = SimpleCookie()
        cookie[self.cookie] = value
        morsel = cookie[self.cookie]
        morsel["path"] = "/"
        morsel["httponly"] = True
        morsel["samesite"] = "Lax"
        morsel["max-age"] = max_age
        if self.secure:
            morsel["secure"] = True
        return morsel.OutputString()

    async def serve(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        """Run ``app`` with the request's session in ``scope["session"]``, and store what
        it leaves there when the response starts."""
        session_id = self.request_session_id(scope)
        data = await self.load(session_id) if session_id else None
        if data is None:
            session_id = None
        scope["session"] = dict(data or {})
        before = json.dumps(data or {}, sort_keys=True, default=str)

        async def send_with_session(message: Message) -> None:
            nonlocal session_id
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                current = scope["session"]
                if scope.get(self.rotate_key) and session_id is not None:
                    await self.drop(session_id)
                    session_id = None
                if not current:
                    if session_id is not None:
                        await self.drop(session_id)
                    if cookie_value(scope, self.cookie) is not None:
                        headers.append("set-cookie", self.cookie_header("", 0))
                elif (
                    session_id is None or json.dumps(current, sort_keys=True, default=str) != before
                ):
                    session_id = session_id or secrets.token_urlsafe(32)
                    await self.save(session_id, current)
                    signed = self.signer.sign(session_id).decode()
                    headers.append("set-cookie", self.cookie_header(signed, self.idle_seconds))
            await send(message)

        await app(scope, receive, send_with_session)
