"""Server-side sessions behind a signed, HttpOnly, SameSite=Lax cookie.

The cookie holds only a random id signed with ``session_secret``; the session's contents
(the pending sign-in, then the person's tokens) stay in the portal's database, keyed by
the id's SHA-256. Starlette's ``request.session`` is this dict, so Authlib's client keeps
its state, nonce and PKCE verifier here. A view sets ``scope["portal.rotate_session"]``
to move the session to a fresh id (done at sign-in, against session fixation).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import logging
import secrets
from http.cookies import SimpleCookie
from typing import Any

from itsdangerous import BadSignature, Signer
from sqlalchemy import delete
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from srs_common.db import Database, utcnow
from srs_portal.models import PortalSession
from srs_portal.settings import PortalSettings

log = logging.getLogger(__name__)

COOKIE = "srs_portal_session"
ROTATE = "portal.rotate_session"


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class SessionStore:
    def __init__(self, settings: PortalSettings) -> None:
        self.settings = settings
        self.signer = Signer(settings.session_secret.get_secret_value(), salt="portal-session")
        self.db: Database | None = None  # set by the lifespan

    def session_id(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            return self.signer.unsign(cookie).decode()
        except BadSignature:
            return None

    async def load(self, session_id: str) -> dict[str, Any] | None:
        assert self.db is not None
        async with self.db.transaction() as session:
            row = await session.get(PortalSession, _hash(session_id))
            if row is None:
                return None
            if row.expires_at <= utcnow():
                await session.delete(row)
                return None
            return dict(row.data)

    async def save(self, session_id: str, data: dict[str, Any]) -> None:
        assert self.db is not None
        expires = utcnow() + dt.timedelta(seconds=self.settings.session_idle_seconds)
        async with self.db.transaction() as session:
            row = await session.get(PortalSession, _hash(session_id))
            if row is None:
                session.add(PortalSession(id_hash=_hash(session_id), data=data, expires_at=expires))
            else:
                row.data, row.expires_at = data, expires

    async def purge_expired(self) -> int:
        """Delete every session past its idle expiry; how many went."""
        assert self.db is not None
        async with self.db.transaction() as session:
            result = await session.execute(
                delete(PortalSession).where(PortalSession.expires_at <= utcnow())
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def purge_forever(self, every_seconds: float) -> None:
        """The lifespan's background sweep of expired sessions."""
        while True:
            try:
                await self.purge_expired()
            except Exception:  # noqa: BLE001 - a database hiccup: try again next time
                log.warning("expired sessions could not be purged", exc_info=True)
            await asyncio.sleep(every_seconds)

    async def drop(self, session_id: str) -> None:
        assert self.db is not None
        async with self.db.transaction() as session:
            await session.execute(
                delete(PortalSession).where(PortalSession.id_hash == _hash(session_id))
            )


class SessionMiddleware:
    def __init__(self, app: ASGIApp, store: SessionStore) -> None:
        self.app = app
        self.store = store
        self.secure = store.settings.public_url.startswith("https://")

    def _cookie_header(self, value: str, max_age: int) -> str:
        cookie: SimpleCookie = SimpleCookie()
        cookie[COOKIE] = value
        morsel = cookie[COOKIE]
        morsel["path"] = "/"
        morsel["httponly"] = True
        morsel["samesite"] = "Lax"
        morsel["max-age"] = max_age
        if self.secure:
            morsel["secure"] = True
        return morsel.OutputString()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/assets/"):
            await self.app(scope, receive, send)
            return
        cookies: SimpleCookie = SimpleCookie()
        for name, value in scope.get("headers", ()):
            if name == b"cookie":
                # A malformed cookie header: no session.
                with contextlib.suppress(Exception):
                    cookies.load(value.decode("latin-1"))
        session_id = self.store.session_id(cookies[COOKIE].value if COOKIE in cookies else None)
        data = await self.store.load(session_id) if session_id else None
        if data is None:
            session_id = None
        scope["session"] = dict(data or {})
        before = json.dumps(data or {}, sort_keys=True, default=str)

        async def send_with_session(message: Message) -> None:
            nonlocal session_id
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                current = scope["session"]
                rotate = scope.get(ROTATE, False)
                if rotate and session_id is not None:
                    await self.store.drop(session_id)
                    session_id = None
                if not current:
                    if session_id is not None:
                        await self.store.drop(session_id)
                    if COOKIE in cookies:
                        headers.append("set-cookie", self._cookie_header("", 0))
                elif (
                    session_id is None or json.dumps(current, sort_keys=True, default=str) != before
                ):
                    session_id = session_id or secrets.token_urlsafe(32)
                    await self.store.save(session_id, current)
                    signed = self.store.signer.sign(session_id).decode()
                    headers.append(
                        "set-cookie",
                        self._cookie_header(signed, self.store.settings.session_idle_seconds),
                    )
            await send(message)

        await self.app(scope, receive, send_with_session)
