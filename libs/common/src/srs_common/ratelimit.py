"""Per-client rate limiting with ``429 Too Many Requests`` and ``Retry-After``.

Clients are identified by their verified token's subject (partner API clients always
have a limit; other callers only when ``rate_limit_default`` is set). The counters live
in Redis when ``rate_limit_storage_url`` is set, so every replica shares them; in the
process otherwise. Built on the ``limits`` library (moving window).
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.types import ASGIApp, Receive, Scope, Send

from srs_common.auth import Principal, TokenVerifier
from srs_common.config import PlatformSettings
from srs_common.errors import AppError, problem


def async_storage(platform: PlatformSettings) -> Storage:
    """Redis when ``rate_limit_storage_url`` is set (an ``async+redis://`` URL, so every
    replica counts together), memory otherwise."""
    if not platform.rate_limit_storage_url:
        return MemoryStorage()
    storage = storage_from_string(platform.rate_limit_storage_url)
    if not isinstance(storage, Storage):
        raise ValueError("rate_limit_storage_url must name an async storage (async+redis://...)")
    return storage


def bearer_token(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            raw = value.decode("latin-1")
            if raw[:7].lower() == "bearer ":
                token: str = raw[7:].strip()
                return token
    return None


async def principal_of(scope: Scope, verifier: TokenVerifier | None) -> Principal | None:
    """The verified caller, or None (the route itself answers 401 for bad tokens)."""
    token = bearer_token(scope)
    if token is None or verifier is None:
        return None
    try:
        return await verifier.verify(token)
    except AppError:
        return None


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, platform: PlatformSettings, service: str) -> None:
        self.app = app
        self.service = service
        self.partner_limit: RateLimitItem = parse(platform.rate_limit_partner)
        self.default_limit: RateLimitItem | None = (
            parse(platform.rate_limit_default) if platform.rate_limit_default else None
        )
        storage = async_storage(platform)
        self.limiter = MovingWindowRateLimiter(storage)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        app = scope.get("app")
        verifier = getattr(getattr(app, "state", None), "verifier", None)
        principal = await principal_of(scope, verifier)
        limit = None
        if principal is not None and "partner" in principal.roles:
            limit = self.partner_limit
        elif self.default_limit is not None and principal is not None:
            limit = self.default_limit
        if limit is None:
            await self.app(scope, receive, send)
            return
        assert principal is not None
        if not await self.limiter.hit(limit, self.service, principal.sub):
            stats = await self.limiter.get_window_stats(limit, self.service, principal.sub)
            retry_after = max(1, math.ceil(stats.reset_time - time.time()))
            response = problem(
                429,
                "Too many requests",
                f"rate limit of {limit} exceeded; retry after {retry_after}s",
                instance=scope.get("path"),
                headers={"Retry-After": str(retry_after)},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class FailureThrottle:
    """Counts failures (a wrong password, a bad client secret) under keys, each in its
    own moving window, for an endpoint to refuse a key past its limit *before* doing the
    work, with the seconds until it may try again. Same storage as the middleware:
    Redis when ``rate_limit_storage_url`` is set, so every replica counts together."""

    def __init__(self, platform: PlatformSettings, namespace: str) -> None:
        self.namespace = namespace
        storage = async_storage(platform)
        self.limiter = MovingWindowRateLimiter(storage)

    async def retry_after(self, checks: list[tuple[RateLimitItem, tuple[str, ...]]]) -> int | None:
        """Seconds to wait if any ``(limit, key)`` is used up, else None."""
        wait: int | None = None
        for limit, key in checks:
            if not await self.limiter.test(limit, self.namespace, *key):
                stats = await self.limiter.get_window_stats(limit, self.namespace, *key)
                seconds = max(1, math.ceil(stats.reset_time - time.time()))
                wait = max(wait or 0, seconds)
        return wait

    async def failed(self, checks: list[tuple[RateLimitItem, tuple[str, ...]]]) -> None:
        """Count one failure under every key."""
        for limit, key in checks:
            await self.limiter.hit(limit, self.namespace, *key)
