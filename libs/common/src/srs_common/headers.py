"""Response headers every service sends: what browsers and caches may do with an answer.

- ``X-Content-Type-Options: nosniff`` on every response: a browser never guesses a type
  other than the one declared (a JSON answer is never run as a script or rendered as HTML).
- ``Cache-Control: no-store`` on every answer that may carry personal data: every answer to
  an authenticated request (an ``Authorization`` header or a cookie) and every problem
  answer. Anonymous successes (public registers, OpenAPI documents, docs pages, probes)
  keep whatever caching their route chose.
- ``Content-Security-Policy`` on every HTML page (Swagger UI, ReDoc, the operations
  console). The pages' own inline scripts are allowed by their SHA-256 hash, computed from
  the page as sent, so no other inline script runs. Everything else comes from the
  service itself (``'self'``): the docs pages' assets are installed with the service
  (:mod:`srs_common.apidocs`), never loaded from a CDN, so the pages work offline.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping, Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Only the service's own origin. Swagger UI and ReDoc add <style> elements as they render
# (hence 'unsafe-inline' for styles, never for scripts), Swagger UI draws its icons from
# data: URIs and ReDoc runs its search index in a blob: worker.
PAGE_POLICY = {
    "default-src": ["'none'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "font-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'", "blob:"],
    "base-uri": ["'none'"],
    # No form-action: browsers apply it to the redirects after a form is sent, and signing
    # in (the OpenID Connect login form) redirects to the client's own origin.
    "frame-ancestors": ["'none'"],
}
INLINE_SCRIPT = re.compile(
    rb"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL
)
PROBLEM_JSON = b"application/problem+json"


def content_security_policy(page: bytes, extra: Mapping[str, Sequence[str]] | None = None) -> str:
    """The policy of one HTML page: :data:`PAGE_POLICY` with a service's ``extra`` sources
    (``ServiceSpec.page_sources``), plus the hash of each inline script the page carries."""
    hashes = sorted(
        {
            "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
            for body in INLINE_SCRIPT.findall(page)
        }
    )
    policy = {name: list(values) for name, values in PAGE_POLICY.items()}
    for name, values in (extra or {}).items():
        policy.setdefault(name, []).extend(v for v in values if v not in policy[name])
    policy["script-src"] += hashes
    return "; ".join(f"{name} {' '.join(values)}" for name, values in policy.items())


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    return next((value for key, value in headers if key.lower() == name), None)


def _set(headers: list[tuple[bytes, bytes]], name: bytes, value: bytes) -> None:
    headers[:] = [(k, v) for k, v in headers if k.lower() != name]
    headers.append((name, value))


class SecurityHeadersMiddleware:
    """Pure ASGI middleware adding the headers above to every HTTP response."""

    def __init__(
        self, app: ASGIApp, page_sources: Mapping[str, Sequence[str]] | None = None
    ) -> None:
        self.app = app
        self.page_sources = page_sources

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = dict(scope.get("headers", ()))
        authenticated = b"authorization" in request_headers or b"cookie" in request_headers
        start: Message | None = None
        page: list[bytes] = []

        async def send_with_headers(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                _set(headers, b"x-content-type-options", b"nosniff")
                content_type = (_header(headers, b"content-type") or b"").lower()
                if authenticated or content_type.startswith(PROBLEM_JSON):
                    _set(headers, b"cache-control", b"no-store")
                message = {**message, "headers": headers}
                if content_type.startswith(b"text/html"):
                    start = message  # sent with the policy once the whole page is known
                    return
                await send(message)
                return
            if start is not None and message["type"] == "http.response.body":
                page.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = b"".join(page)
                headers = list(start["headers"])
                _set(
                    headers,
                    b"content-security-policy",
                    content_security_policy(body, self.page_sources).encode("latin-1"),
                )
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, send_with_headers)
