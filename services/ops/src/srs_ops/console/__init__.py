"""The operations console: a browser page over the ops API, signed in through the
platform's OpenID Connect provider (pages, sessions, sign-in)."""

from srs_ops.console.pages import STATIC_DIR, router
from srs_ops.console.sessions import ConsoleSessionMiddleware, install, purge_sessions_job

__all__ = ["STATIC_DIR", "ConsoleSessionMiddleware", "install", "purge_sessions_job", "router"]
