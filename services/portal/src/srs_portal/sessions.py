"""The portal's server-side sessions (:mod:`srs_common.websessions`): the pending sign-in,
then the person's tokens, in the portal's database behind the ``srs_portal_session``
cookie. A view sets ``scope["portal.rotate_session"]`` to move the session to a fresh id
(done at sign-in, against session fixation)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from srs_common.websessions import WebSessions
from srs_portal.models import PortalSession
from srs_portal.settings import PortalSettings

COOKIE = "srs_portal_session"
ROTATE = "portal.rotate_session"


class SessionStore(WebSessions):
    def __init__(self, settings: PortalSettings) -> None:
        super().__init__(
            PortalSession,
            secret=settings.session_secret.get_secret_value(),
            salt="portal-session",
            cookie=COOKIE,
            rotate_key=ROTATE,
            idle_seconds=settings.session_idle_seconds,
            secure=settings.public_url.startswith("https://"),
        )


class SessionMiddleware:
    """Every page gets ``request.session``; the static assets go without."""

    def __init__(self, app: ASGIApp, store: SessionStore) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/assets/"):
            await self.app(scope, receive, send)
            return
        await self.store.serve(self.app, scope, receive, send)
