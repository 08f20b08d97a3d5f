"""What every portal answer carries, and the CSRF check of every form.

- ``Content-Security-Policy`` without ``unsafe-inline``: scripts and styles only from the
  portal itself, plus the one inline script of the GOV.UK template by a per-response nonce;
  forms post only to the portal and to the sign-in provider; no framing.
- ``Cache-Control: no-store`` on every answer to a signed-in person and on every page
  that is not public.
- CSRF: a token per session, in every form (``csrf_token``) or the ``X-CSRF-Token`` header
  (htmx); a state-changing request without the session's token is refused with 403.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from srs_common.errors import AppError

NONCE = "portal.csp_nonce"
# Pages anyone may keep in a cache (nothing personal on them).
PUBLIC_PATHS = ("/", "/register/researchers", "/register/projects")


def csp_nonce(request: Request) -> str:
    return str(request.scope.get(NONCE, ""))


def content_security_policy(nonce: str, provider: str) -> str:
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(provider))
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            # Signing out redirects a form post to the provider's end-session endpoint.
            f"form-action 'self' {origin}",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeaders:
    def __init__(self, app: ASGIApp, provider: str) -> None:
        self.app = app
        self.provider = provider

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope[NONCE] = nonce

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "same-origin"
                headers["Content-Security-Policy"] = content_security_policy(nonce, self.provider)
                path = scope["path"]
                signed_in = bool(scope.get("session", {}).get("user"))
                if not path.startswith("/assets/") and (signed_in or path not in PUBLIC_PATHS):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CsrfRefused(AppError):
    status = 403
    title = "Forbidden"


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


async def require_csrf(request: Request) -> None:
    """Every state-changing request carries the session's token."""
    expected = request.session.get("csrf", "")
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else ""
    if not expected or not hmac.compare_digest(str(expected).encode(), sent.encode()):
        raise CsrfRefused(
            "the form's security token is missing or out of date: reload the page and try again"
        )
