"""Periodic jobs: the sender (delivers queued e-mails over SMTP) and the day-before
booking reminder. Each is a function with an injected clock, plus a loop around it.

Delivery guarantee. A notification row is written in the same transaction as the
consumed event's inbox row, so the intent to send is never lost and never doubled by a
redelivery. The sender takes a batch of rows (a short lease) in one transaction, sends
them, then marks them sent in a second. If the process dies after the SMTP server
accepted a message but before the mark commits, the lease runs out and the row is sent
again: at worst one duplicate of each mail of that batch, carrying the same Message-ID,
never a loss. Sending inside the consumer's
transaction instead would resend on every handler retry and hold the transaction open
for as long as the SMTP server takes.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.app import Runtime
from srs_common.db import Database, utcnow
from srs_common.pacing import IdlePoll
from srs_notify import domain, queueing
from srs_notify.mailer import DeliveryFailed, SmtpConnection, SmtpMailer
from srs_notify.models import Notification, Researcher
from srs_notify.render import build_message, render
from srs_notify.settings import NotifySettings

log = logging.getLogger(__name__)


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    server_unreachable: bool = False


@dataclass(frozen=True)
class _Claimed:
    id: int
    event_id: str
    notice: str
    context: dict[str, Any]
    attempts: int
    researcher_id: str
    name: str | None
    email: str | None


async def _claim(db: Database, now: dt.datetime, settings: NotifySettings) -> list[_Claimed]:
    """Take this sender's batch of due rows in one transaction: push their next attempt
    past the lease, so no other sender takes them meanwhile. A row another sender took
    first is not this one's (its lease has moved ``next_attempt_at`` past ``now``)."""
    lease_until = now + dt.timedelta(seconds=settings.send_claim_seconds)
    async with db.transaction() as session:
        due = (
            await session.scalars(
                select(Notification.id)
                .where(Notification.status == domain.PENDING)
                .where(Notification.next_attempt_at <= now)
                .order_by(Notification.id)
                .limit(settings.send_batch_size)
            )
        ).all()
        if not due:
            return []
        taken = (
            await session.scalars(
                update(Notification)
                .where(Notification.id.in_(due))
                .where(Notification.status == domain.PENDING)
                .where(Notification.next_attempt_at <= now)
                .values(next_attempt_at=lease_until, attempts=Notification.attempts + 1)
                .returning(Notification.id)
            )
        ).all()
        if not taken:
            return []
        rows = (
            await session.execute(
                select(
                    Notification.id,
                    Notification.event_id,
                    Notification.notice,
                    Notification.context,
                    Notification.attempts,
                    Notification.researcher_id,
                    Researcher.name,
                    Researcher.email,
                )
                .outerjoin(Researcher, Researcher.id == Notification.researcher_id)
                .where(Notification.id.in_(taken))
                .order_by(Notification.id)
            )
        ).all()
    claimed = []
    for row in rows:
        one = _Claimed(*row)
        if domain.is_mailbox(one.researcher_id):
            one = dataclasses.replace(
                one,
                name=domain.mailbox_name(one.researcher_id),
                email=mailbox_address(settings, one.researcher_id),
            )
        claimed.append(one)
    return claimed


def mailbox_address(settings: NotifySettings, recipient: str) -> str | None:
    """A staff or data-owner mailbox's address from settings (None: not configured)."""
    if recipient.startswith(domain.DATA_OWNER):
        return settings.data_owner_mailboxes.get(recipient.removeprefix(domain.DATA_OWNER))
    return {
        domain.PANEL: settings.panel_mailbox,
        domain.CHECKERS: settings.checkers_mailbox,
        domain.SUPPORT: settings.support_mailbox,
    }.get(recipient)


class _Outcomes:
    """What became of each claimed row, written back in one transaction at the end of the
    batch (one UPDATE per row, sent as one executemany)."""

    def __init__(self, now: dt.datetime, settings: NotifySettings, report: SendReport) -> None:
        self.now = now
        self.settings = settings
        self.report = report
        self.rows: list[dict[str, Any]] = []

    def sent(self, claimed: _Claimed, subject: str) -> None:
        self.rows.append(
            {
                "id": claimed.id,
                "status": domain.SENT,
                "sent_at": utcnow(),
                "next_attempt_at": None,
                "email": claimed.email,
                "subject": subject,
                "last_error": None,
            }
        )
        self.report.sent += 1

    def failed(self, claimed: _Claimed, reason: str, *, permanent: bool) -> None:
        if permanent:
            self.rows.append(
                {
                    "id": claimed.id,
                    "status": domain.FAILED,
                    "next_attempt_at": None,
                    "last_error": reason,
                }
            )
            self.report.failed += 1
            log.warning(
                "notification %s to %s failed for good: %s",
                claimed.id,
                claimed.researcher_id,
                reason,
            )
            return
        retry_at = self.now + domain.retry_delay(
            claimed.attempts,
            base=self.settings.send_retry_base_seconds,
            cap=self.settings.send_retry_max_seconds,
        )
        self.rows.append({"id": claimed.id, "next_attempt_at": retry_at, "last_error": reason})
        self.report.retrying += 1
        log.info(
            "notification %s will be retried at %s: %s", claimed.id, retry_at.isoformat(), reason
        )

    def untried(self, claimed: _Claimed) -> None:
        """Claimed but not tried (the server went away first): due again at once, the
        attempt not counted."""
        self.rows.append(
            {"id": claimed.id, "next_attempt_at": self.now, "attempts": claimed.attempts - 1}
        )

    async def write(self, db: Database, claimed: list[_Claimed]) -> None:
        """Write every outcome; a claimed row with none (the batch was cut short) is due
        again at once."""
        done = {row["id"] for row in self.rows}
        for one in claimed:
            if one.id not in done:
                self.untried(one)
        async with db.transaction() as session:
            # An UPDATE by primary key per row; SQLAlchemy sends the rows that set the
            # same columns as one executemany.
            await session.execute(update(Notification), self.rows)


async def send_due_notifications(
    db: Database, settings: NotifySettings, mailer: SmtpMailer, now: dt.datetime | None = None
) -> SendReport:
    """Deliver every pending notification whose time has come, over one SMTP session.

    The batch is claimed in one transaction and its outcomes written in one more, after
    the last send (so a crash mid-batch resends, once, the mails of that batch already
    accepted, as the module's guarantee allows). A refusal for good (5xx) fails that
    notification; an unreachable server or a "try later" (4xx) schedules a retry with
    backoff and, if the connection is gone, ends the batch: the rest are due again at
    once, nothing is lost."""
    now = now or utcnow()
    report = SendReport()
    claimed = await _claim(db, now, settings)
    if not claimed:
        return report
    outcomes = _Outcomes(now, settings, report)
    try:
        async with contextlib.AsyncExitStack() as stack:
            connection: SmtpConnection | None = None
            for one in claimed:
                if one.email is None or one.name is None:
                    give_up = one.attempts >= settings.unknown_recipient_max_attempts
                    who = (
                        f"no mailbox configured for {one.name}"
                        if domain.is_mailbox(one.researcher_id)
                        else f"no e-mail address known for researcher {one.researcher_id}"
                    )
                    outcomes.failed(one, who, permanent=give_up)
                    continue
                try:
                    mail = render(
                        one.notice,
                        one.context,
                        recipient_name=one.name,
                        portal_url=settings.portal_url,
                    )
                except Exception as exc:  # noqa: BLE001 - a template bug fails this mail only
                    log.exception("cannot render notification %s", one.id)
                    outcomes.failed(one, f"template error: {exc!r}", permanent=True)
                    continue
                message = build_message(
                    mail,
                    to_name=one.name,
                    to_address=one.email,
                    sender=settings.mail_from,
                    message_key=f"notification-{one.id}.{one.event_id}",
                )
                try:
                    if connection is None:
                        connection = await stack.enter_async_context(mailer.connection())
                    await connection.send(message)
                except DeliveryFailed as failure:
                    outcomes.failed(one, failure.reason, permanent=failure.permanent)
                    if failure.connection_lost:
                        report.server_unreachable = True
                        break
                    continue
                outcomes.sent(one, mail.subject)
    finally:
        await outcomes.write(db, claimed)
    return report


def _stop_if_cancelled() -> None:
    """Python 3.11's ``asyncio.wait_for`` (used inside aiosmtplib) loses a cancellation
    that lands just as the awaited reply arrives; the request is still counted on the
    task, so honour it here rather than loop on for ever after a shutdown."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def sender_job(runtime: Runtime) -> None:
    """Loop: deliver due notifications; woken at once when a transaction queues one,
    otherwise every ``send_poll_seconds``, less and less often at rest (up to
    ``send_idle_poll_seconds``)."""
    settings = runtime.settings
    assert isinstance(settings, NotifySettings)
    mailer = SmtpMailer(settings)
    pace = IdlePoll(settings.send_poll_seconds, settings.send_idle_poll_seconds)

    def on_commit(session: AsyncSession) -> None:
        if session.info.get(queueing.QUEUED):
            pace.wake()

    runtime.db.after_commit_hooks.append(on_commit)
    while True:
        pace.clear()
        worked = False
        try:
            report = await send_due_notifications(runtime.db, settings, mailer)
            worked = bool(report.sent or report.retrying or report.failed)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - e.g. the database is away; try again later
            log.exception("sending notifications failed; retrying")
        _stop_if_cancelled()
        await pace.wait(worked=worked)


async def reminder_job(runtime: Runtime) -> None:
    """Loop: queue the day-before booking reminders every ``reminder_poll_seconds``."""
    settings = runtime.settings
    assert isinstance(settings, NotifySettings)
    while True:
        try:
            async with runtime.db.transaction() as session:
                queued = await queueing.queue_booking_reminders(session, utcnow())
            if queued:
                log.info("queued %d booking reminders", queued)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - e.g. the database is away; try again later
            log.exception("queueing booking reminders failed; retrying")
        await asyncio.sleep(settings.reminder_poll_seconds)
