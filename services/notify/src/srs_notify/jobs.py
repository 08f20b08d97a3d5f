"""Periodic jobs: the sender (delivers queued e-mails over SMTP) and the day-before
booking reminder. Each is a function with an injected clock, plus a loop around it.

Delivery guarantee. A notification row is written in the same transaction as the
consumed event's inbox row, so the intent to send is never lost and never doubled by a
redelivery. The sender takes a row (a short lease), sends it, then marks it sent in a
second transaction. If the process dies after the SMTP server accepted the message but
before the mark commits, the lease runs out and the row is sent again: at worst one
duplicate, carrying the same Message-ID, never a loss. Sending inside the consumer's
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


async def _claim(
    db: Database, notification_id: int, now: dt.datetime, settings: NotifySettings
) -> _Claimed | None:
    """Take one due row for this sender: push its next attempt past the lease, so no other
    sender takes it meanwhile; None if another sender was first."""
    lease_until = now + dt.timedelta(seconds=settings.send_claim_seconds)
    async with db.transaction() as session:
        taken = await session.execute(
            update(Notification)
            .where(Notification.id == notification_id)
            .where(Notification.status == domain.PENDING)
            .where(Notification.next_attempt_at <= now)
            .values(next_attempt_at=lease_until, attempts=Notification.attempts + 1)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None
        row = (
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
                .where(Notification.id == notification_id)
            )
        ).one()
    claimed = _Claimed(*row)
    if domain.is_mailbox(claimed.researcher_id):
        address = mailbox_address(settings, claimed.researcher_id)
        claimed = dataclasses.replace(
            claimed, name=domain.mailbox_name(claimed.researcher_id), email=address
        )
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


async def _finish(db: Database, notification_id: int, **values: object) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(Notification).where(Notification.id == notification_id).values(**values)
        )


async def _failed(
    db: Database,
    claimed: _Claimed,
    reason: str,
    *,
    permanent: bool,
    now: dt.datetime,
    settings: NotifySettings,
) -> None:
    if permanent:
        await _finish(db, claimed.id, status=domain.FAILED, next_attempt_at=None, last_error=reason)
        log.warning(
            "notification %s to %s failed for good: %s", claimed.id, claimed.researcher_id, reason
        )
        return
    retry_at = now + domain.retry_delay(
        claimed.attempts, base=settings.send_retry_base_seconds, cap=settings.send_retry_max_seconds
    )
    await _finish(db, claimed.id, next_attempt_at=retry_at, last_error=reason)
    log.info("notification %s will be retried at %s: %s", claimed.id, retry_at.isoformat(), reason)


async def send_due_notifications(
    db: Database, settings: NotifySettings, mailer: SmtpMailer, now: dt.datetime | None = None
) -> SendReport:
    """Deliver every pending notification whose time has come, over one SMTP session.

    A refusal for good (5xx) fails that notification; an unreachable server or a "try
    later" (4xx) schedules a retry with backoff and, if the connection is gone, ends the
    batch: the rest stay pending, nothing is lost."""
    now = now or utcnow()
    report = SendReport()
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
        return report
    async with contextlib.AsyncExitStack() as stack:
        connection: SmtpConnection | None = None
        for notification_id in due:
            claimed = await _claim(db, notification_id, now, settings)
            if claimed is None:
                continue
            if claimed.email is None or claimed.name is None:
                give_up = claimed.attempts >= settings.unknown_recipient_max_attempts
                who = (
                    f"no mailbox configured for {claimed.name}"
                    if domain.is_mailbox(claimed.researcher_id)
                    else f"no e-mail address known for researcher {claimed.researcher_id}"
                )
                await _failed(db, claimed, who, permanent=give_up, now=now, settings=settings)
                report.failed += give_up
                report.retrying += not give_up
                continue
            try:
                mail = render(
                    claimed.notice,
                    claimed.context,
                    recipient_name=claimed.name,
                    portal_url=settings.portal_url,
                )
            except Exception as exc:  # noqa: BLE001 - a template bug fails this mail only
                log.exception("cannot render notification %s", claimed.id)
                await _failed(
                    db,
                    claimed,
                    f"template error: {exc!r}",
                    permanent=True,
                    now=now,
                    settings=settings,
                )
                report.failed += 1
                continue
            message = build_message(
                mail,
                to_name=claimed.name,
                to_address=claimed.email,
                sender=settings.mail_from,
                message_key=f"notification-{claimed.id}.{claimed.event_id}",
            )
            try:
                if connection is None:
                    connection = await stack.enter_async_context(mailer.connection())
                await connection.send(message)
            except DeliveryFailed as failure:
                await _failed(
                    db,
                    claimed,
                    failure.reason,
                    permanent=failure.permanent,
                    now=now,
                    settings=settings,
                )
                report.failed += failure.permanent
                report.retrying += not failure.permanent
                if failure.connection_lost:
                    report.server_unreachable = True
                    break
                continue
            await _finish(
                db,
                claimed.id,
                status=domain.SENT,
                sent_at=utcnow(),
                next_attempt_at=None,
                email=claimed.email,
                subject=mail.subject,
                last_error=None,
            )
            report.sent += 1
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
