"""SMTP delivery over aiosmtplib, with failures sorted into "try again later" (the server
is away, busy or answered 4xx) and "never" (it refused the message or address with 5xx)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from email.message import Message

import aiosmtplib

from srs_notify.settings import NotifySettings


class DeliveryFailed(Exception):
    """The message was not accepted. ``permanent``: retrying cannot help (5xx refusal);
    otherwise the server is unreachable or said "later" (4xx), and ``connection_lost``
    says the connection is unusable for the rest of the batch."""

    def __init__(self, reason: str, *, permanent: bool, connection_lost: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.connection_lost = connection_lost


def _classify(exc: Exception) -> DeliveryFailed:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        detail = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
        return DeliveryFailed(
            f"recipient refused: {detail}", permanent=all(500 <= c < 600 for c in codes)
        )
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        # Our credentials are wrong: an operator fixes the setting, the mail waits.
        return DeliveryFailed(
            f"SMTP authentication failed: {exc.code} {exc.message}",
            permanent=False,
            connection_lost=True,
        )
    if isinstance(
        exc,
        aiosmtplib.SMTPServerDisconnected
        | aiosmtplib.SMTPConnectError
        | aiosmtplib.SMTPTimeoutError,
    ):
        return DeliveryFailed(
            f"SMTP server unreachable: {exc}", permanent=False, connection_lost=True
        )
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return DeliveryFailed(
            f"SMTP server answered {exc.code} {exc.message}", permanent=500 <= exc.code < 600
        )
    if isinstance(exc, OSError | TimeoutError | aiosmtplib.SMTPException):
        return DeliveryFailed(
            f"SMTP server unreachable: {exc!r}", permanent=False, connection_lost=True
        )
    raise exc


class SmtpConnection:
    """One open SMTP session; messages go one by one over it."""

    def __init__(self, client: aiosmtplib.SMTP) -> None:
        self._client = client

    async def send(self, message: Message) -> None:
        """Send one message, or raise :class:`DeliveryFailed`."""
        try:
            await self._client.send_message(message)
        except Exception as exc:  # noqa: BLE001 - sorted into retry or give up
            raise _classify(exc) from exc


class SmtpMailer:
    """Opens SMTP sessions per the notifier's settings (host, port, TLS, credentials)."""

    def __init__(self, settings: NotifySettings) -> None:
        self.settings = settings

    def _client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            timeout=s.smtp_timeout_seconds,
            use_tls=s.smtp_tls == "tls",
            start_tls=s.smtp_tls == "starttls",
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
        )

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[SmtpConnection]:
        """An open, logged-in session; :class:`DeliveryFailed` if none can be opened."""
        client = self._client()
        try:
            await client.connect()
        except Exception as exc:  # noqa: BLE001 - sorted into retry or give up
            raise _classify(exc) from exc
        try:
            yield SmtpConnection(client)
        except BaseException:
            # Cancelled or failed mid-command: the session's state is unknown; just drop it.
            client.close()
            raise
        with contextlib.suppress(Exception):
            if client.is_connected:
                await asyncio.wait_for(client.quit(), timeout=self.settings.smtp_timeout_seconds)
