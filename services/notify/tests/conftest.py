"""Fixtures of the notifier's tests: a real SMTP server (aiosmtpd on loopback) started
by the tests, the notify service wired to it, and helpers to feed it events."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select

from srs_common.broker import free_port
from srs_common.contracts.accreditation import ResearcherRegistered
from srs_notify.jobs import SendReport, send_due_notifications
from srs_notify.mailer import SmtpMailer
from srs_notify.models import Notification

PEOPLE = {
    "res-alice": ("Alice Example", "alice@ntu.example"),
    "res-bob": ("Bob Sample", "bob@ucl.example"),
    "res-carol": ("Carol Bystander", "carol@lse.example"),
}


@dataclass
class Received:
    recipients: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()  # type: ignore[union-attr]

    @property
    def everything(self) -> str:
        return f"{self.message['Subject']}\n{self.message['To']}\n{self.text}\n{self.html}"


@dataclass
class SmtpServer:
    """A real SMTP server on loopback that keeps what it receives; it can refuse
    addresses (550) and be stopped and started again on the same port."""

    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _server: asyncio.Server | None = None

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,  # noqa: N802
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(
        self,
        server: SMTP,
        session: Session,  # noqa: N802
        envelope: Envelope,
    ) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(Received(list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        self.arrived.set()
        return "250 Message accepted"

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: SMTP(self), "127.0.0.1", self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpServer]:
    server = SmtpServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def client(service_client, smtp: SmtpServer) -> AsyncIterator[httpx.AsyncClient]:
    async with service_client(
        "notify",
        smtp_port=smtp.port,
        send_retry_base_seconds=60,
        send_retry_max_seconds=3600,
        smtp_timeout_seconds=5,
    ) as c:
        yield c


@pytest.fixture
def register(deliver: Any, client: httpx.AsyncClient) -> Any:
    """``await register("res-alice", ...)``: researcher.registered for these people (all
    three by default), so the notifier knows their names and addresses."""

    async def run(*researcher_ids: str) -> None:
        for researcher_id in researcher_ids or tuple(PEOPLE):
            name, address = PEOPLE[researcher_id]
            await deliver(
                client,
                ResearcherRegistered(
                    researcher_id=researcher_id,
                    name=name,
                    email=address,
                    organisation_id="org-ntu",
                    occurred_at=dt.datetime.now(dt.UTC),
                ),
                subject=researcher_id,
            )

    return run


@pytest.fixture
def send(client: httpx.AsyncClient) -> Any:
    """``await send(now=...)``: run the sender once, as its loop would."""

    async def run(now: dt.datetime | None = None) -> SendReport:
        runtime = client.runtime  # type: ignore[attr-defined]
        return await send_due_notifications(
            runtime.db, runtime.settings, SmtpMailer(runtime.settings), now
        )

    return run


@pytest.fixture
def log(client: httpx.AsyncClient) -> Any:
    """``await log()``: every row of the delivery log, oldest first."""

    async def run() -> list[Notification]:
        async with client.runtime.db.transaction() as session:  # type: ignore[attr-defined]
            return list(
                (await session.scalars(select(Notification).order_by(Notification.id))).all()
            )

    return run
