"""The console's server-side sessions (:mod:`srs_common.websessions`): the pending
sign-in, then the operator's tokens, in the ops database behind the ``srs_ops_console``
cookie signed with ``console_session_secret``; what changes anything also needs the
session's CSRF token.

:class:`ConsoleSessionMiddleware` gives console pages ``request.session`` (Authlib keeps
its state, nonce and PKCE verifier there), and lets the console's own calls to ``/v1``
travel with the cookie alone: it puts the session's access token (refreshed when due) in
the ``Authorization`` header, so the API authorises them exactly as a script's bearer
token. A request that brings its own ``Authorization`` header is left as it is.
"""

from __future__ import annotations

import hmac
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from srs_common.app import Runtime
from srs_common.db import Database
from srs_common.errors import problem
from srs_common.websessions import WebSessions, cookie_value
from srs_ops.console.signin import SignInAgain, fresh_access_token
from srs_ops.models import ConsoleSession
from srs_ops.settings import OpsSettings, ops_settings

COOKIE = "srs_ops_console"
ROTATE = "console.rotate_session"
CSRF_HEADER = b"x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SIGN_IN_PATH = "/console/sign-in"


class SessionStore(WebSessions):
    def __init__(self, settings: OpsSettings, db: Database) -> None:
        super().__init__(
            ConsoleSession,
            secret=settings.console_session_secret.get_secret_value(),
            salt="ops-console-session",
            cookie=COOKIE,
            rotate_key=ROTATE,
            idle_seconds=settings.console_session_idle_seconds,
            secure=settings.console_base_url.startswith("https://"),
            db=db,
        )


def csrf_matches(session: dict[str, Any], submitted: str | None) -> bool:
    expected = session.get("csrf")
    return bool(expected and submitted) and hmac.compare_digest(
        str(expected).encode(), str(submitted).encode()
    )


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def sign_in_again() -> Any:
    """The answer to a console call whose session has ended: 401 problem+json naming
    where to sign in again (the console shows it with a link)."""
    return problem(
        401,
        "Sign in again",
        "Your console session has ended (it expired, was signed out, or the provider "
        "refused to renew it). Sign in again to continue.",
        sign_in=SIGN_IN_PATH,
    )


class ConsoleSessionMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def _store(self, scope: Scope) -> SessionStore:
        state = scope["app"].state
        store: SessionStore | None = getattr(state, "console_sessions", None)
        if store is None:
            store = SessionStore(state.settings, state.runtime.db)
            state.console_sessions = store
        return store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path == "/console" or path.startswith("/console/"):
            if path.startswith("/console/static/"):
                await self.app(scope, receive, send)
                return
            await self._store(scope).serve(self.app, scope, receive, send)
            return
        if (
            path.startswith("/v1/")
            and _header(scope, b"authorization") is None
            and cookie_value(scope, COOKIE) is not None
        ):
            await self._api_call(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _api_call(self, scope: Scope, receive: Receive, send: Send) -> None:
        store = self._store(scope)
        session_id = store.request_session_id(scope)
        data = await store.load(session_id) if session_id else None
        if session_id is None or data is None:
            await sign_in_again()(scope, receive, send)
            return
        if scope["method"] not in SAFE_METHODS and not csrf_matches(
            data, _header(scope, CSRF_HEADER)
        ):
            refused = problem(403, "Forbidden", "the console's CSRF token is missing or wrong")
            await refused(scope, receive, send)
            return
        before = data.get("tokens")
        try:
            token = await fresh_access_token(scope["app"], data)
        except SignInAgain:
            await store.drop(session_id)
            await sign_in_again()(scope, receive, send)
            return
        if data.get("tokens") != before:
            await store.save(session_id, data)
        headers = [(k, v) for k, v in scope["headers"] if k != b"authorization"]
        headers.append((b"authorization", f"Bearer {token}".encode("latin-1")))
        await self.app({**scope, "headers": headers}, receive, send)


async def purge_sessions_job(runtime: Runtime) -> None:
    """Delete expired console sessions, hourly."""
    await SessionStore(ops_settings(runtime), runtime.db).purge_forever(3600)


async def install(app: Any, runtime: Runtime) -> None:
    """Start-up hook: put :class:`ConsoleSessionMiddleware` in front of the routes. It
    wraps the router's own stack (Starlette's ``Router.middleware_stack``, read on every
    request), inside the platform's middleware: the security headers, observability and
    error handling apply to what it answers, and the app is the same whichever way it is
    built (the ``serve`` command builds it from the spec alone)."""
    if not isinstance(app.router.middleware_stack, ConsoleSessionMiddleware):
        app.router.middleware_stack = ConsoleSessionMiddleware(app.router.middleware_stack)
