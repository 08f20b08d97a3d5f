"""Step 2, the delivery job: send due rows with httpx (short timeouts), signed per the
Standard Webhooks spec; log every attempt, retry with backoff and jitter until the retry
window closes, and disable a subscription whose endpoint keeps failing."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.app import Runtime
from srs_common.contracts.ops import WebhookSubscriptionDisabled
from srs_common.db import Database, utcnow
from srs_common.errors import RuleViolation
from srs_common.events.outbox import publish
from srs_common.pacing import IdlePoll
from srs_ops.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from srs_ops.settings import OpsSettings
from srs_ops.webhooks import domain, egress
from srs_ops.webhooks.delivery.recording import DELIVERIES_RECORDED

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Due:
    delivery_id: int
    event_id: str
    body: str
    url: str
    secrets: list[str]


@dataclass(frozen=True)
class _Outcome:
    status_code: int | None
    latency_ms: int
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and domain.is_success(self.status_code)


class WebhookSender:
    """Sends due deliveries; ``clock`` decides what is due and when windows close."""

    def __init__(
        self,
        db: Database,
        settings: OpsSettings,
        client: httpx.AsyncClient,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.db = db
        self.settings = settings
        self.client = client
        self.clock = clock
        self.jitter = jitter
        self.pace = IdlePoll(settings.webhook_poll_seconds, settings.webhook_idle_poll_seconds)
        self._limit = asyncio.Semaphore(settings.webhook_concurrency)

    def notice_commit(self, session: Any) -> None:
        if session.info.get(DELIVERIES_RECORDED):
            self.pace.wake()

    async def run_once(self) -> int:
        """Send every delivery due now (one batch); returns how many were attempted."""
        due = await self._claim()
        await asyncio.gather(*(self._send_and_record(item) for item in due))
        return len(due)

    async def _claim(self) -> list[_Due]:
        now = self.clock()
        # Claimed rows are pushed past the request timeout so another replica skips them;
        # a crash mid-send only delays the retry.
        lease = dt.timedelta(seconds=self.settings.webhook_timeout_seconds * 3)
        async with self.db.transaction() as session:
            rows = (
                await session.execute(
                    select(WebhookDelivery, WebhookSubscription)
                    .join(
                        WebhookSubscription,
                        WebhookSubscription.id == WebhookDelivery.subscription_id,
                    )
                    .where(WebhookDelivery.status == domain.DeliveryStatus.PENDING)
                    .where(WebhookDelivery.next_attempt_at <= now)
                    .where(WebhookSubscription.enabled.is_(True))
                    .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                    .limit(self.settings.webhook_batch_size)
                    .with_for_update(skip_locked=True, of=WebhookDelivery)
                )
            ).all()
            due = []
            for delivery, subscription in rows:
                delivery.next_attempt_at = now + lease
                due.append(
                    _Due(
                        delivery.id,
                        delivery.event_id,
                        delivery.body,
                        subscription.url,
                        self._secrets(subscription, now),
                    )
                )
        return due

    @staticmethod
    def _secrets(subscription: WebhookSubscription, now: dt.datetime) -> list[str]:
        secrets = [subscription.secret]
        expires = subscription.previous_secret_expires_at
        if subscription.previous_secret and expires is not None and expires > now:
            secrets.append(subscription.previous_secret)
        return secrets

    async def _send_and_record(self, item: _Due) -> None:
        async with self._limit:
            outcome = await self._send(item)
        try:
            await self._record(item, outcome)
        except Exception:  # noqa: BLE001 - the lease expires and the row is retried
            log.exception("could not record webhook delivery %s", item.delivery_id)

    async def _send(self, item: _Due) -> _Outcome:
        # The registration rules again: a row stored before them (or past them) is not
        # sent; names are then resolved and checked on connecting (``egress``).
        try:
            domain.validate_url(
                item.url,
                allow_http=self.settings.webhook_allow_http,
                allowed_networks=self.settings.webhook_test_allowed_networks,
            )
        except RuleViolation as exc:
            return _Outcome(
                None, 0, f"refused: {exc.detail}; webhooks go to public hosts only"[:500]
            )
        # The signature's timestamp is the wall clock: receivers check it against theirs.
        headers = domain.signed_headers(item.secrets, item.event_id, utcnow(), item.body)
        started = time.perf_counter()
        try:
            response = await self.client.post(item.url, content=item.body.encode(), headers=headers)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return _Outcome(None, _ms(started), f"{type(exc).__name__}: {exc}"[:500])
        return _Outcome(response.status_code, _ms(started), None)

    async def _record(self, item: _Due, outcome: _Outcome) -> None:
        now = self.clock()
        async with self.db.transaction() as session:
            delivery = await session.get(WebhookDelivery, item.delivery_id)
            if delivery is None:
                return  # the subscription was deleted meanwhile
            # Locked: concurrent attempts for one subscription count its failures in turn.
            subscription = await session.get(
                WebhookSubscription, delivery.subscription_id, with_for_update=True
            )
            assert subscription is not None
            delivery.attempts += 1
            session.add(
                WebhookAttempt(
                    delivery_id=delivery.id,
                    attempt_number=delivery.attempts,
                    attempted_at=now,
                    status_code=outcome.status_code,
                    latency_ms=outcome.latency_ms,
                    error=outcome.error,
                )
            )
            delivery.last_status_code = outcome.status_code
            delivery.last_error = outcome.error
            log.info(
                "webhook delivery %s attempt %d to %s: %s in %d ms%s",
                delivery.id,
                delivery.attempts,
                subscription.id,
                outcome.status_code,
                outcome.latency_ms,
                f" ({outcome.error})" if outcome.error else "",
            )
            if outcome.ok:
                delivery.status = domain.DeliveryStatus.DELIVERED
                delivery.delivered_at = now
                delivery.next_attempt_at = None
                subscription.consecutive_failures = 0
                subscription.failing_since = None
                return
            self._schedule_retry(delivery, now)
            await self._count_failure(session, subscription, now)

    def _schedule_retry(self, delivery: WebhookDelivery, now: dt.datetime) -> None:
        delay = domain.backoff_seconds(
            delivery.attempts,
            base=self.settings.webhook_backoff_base_seconds,
            maximum=self.settings.webhook_backoff_max_seconds,
            jitter=self.jitter(),
        )
        retry_at = now + dt.timedelta(seconds=delay)
        if retry_at > delivery.retry_until:
            delivery.status = domain.DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = retry_at

    async def _count_failure(
        self, session: AsyncSession, subscription: WebhookSubscription, now: dt.datetime
    ) -> None:
        subscription.consecutive_failures += 1
        subscription.failing_since = subscription.failing_since or now
        reason = domain.disable_reason(
            consecutive_failures=subscription.consecutive_failures,
            failing_since=subscription.failing_since,
            now=now,
            after_hours=self.settings.webhook_disable_after_hours,
            after_failures=self.settings.webhook_disable_after_failures,
        )
        if reason is None or not subscription.enabled:
            return
        subscription.enabled = False
        subscription.disabled_reason = reason
        subscription.disabled_at = now
        subscription.updated_at = now
        log.warning("webhook subscription %s disabled: %s", subscription.id, reason)
        await publish(
            session,
            WebhookSubscriptionDisabled(
                subscription_id=subscription.id,
                organisation_id=subscription.organisation_id,
                url=subscription.url,
                reason=reason,
                consecutive_failures=subscription.consecutive_failures,
                failing_since=subscription.failing_since,
                disabled_at=now,
            ),
            subject=subscription.id,
        )


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def http_client(
    settings: OpsSettings, *, resolver: egress.Resolver = egress.system_resolver
) -> httpx.AsyncClient:
    """Short timeouts; each connection resolved, checked and pinned to the checked
    address (``egress``); no redirects followed (a redirect is a failed delivery, so it
    can never lead to an internal address)."""
    return httpx.AsyncClient(
        transport=egress.CheckedTransport(resolver, settings.webhook_test_allowed_networks),
        timeout=httpx.Timeout(
            settings.webhook_timeout_seconds, connect=settings.webhook_connect_timeout_seconds
        ),
        follow_redirects=False,
        trust_env=False,
        headers={"user-agent": "SRS-Webhooks/1"},
    )


async def webhook_delivery_job(runtime: Runtime) -> None:
    """Job: send due deliveries; woken at once when the consumer queues some, and at rest
    looking for due retries less and less often (up to ``webhook_idle_poll_seconds``)."""
    settings: OpsSettings = runtime.settings  # type: ignore[assignment]
    async with http_client(settings) as client:
        sender = WebhookSender(runtime.db, settings, client)
        runtime.state["webhook_sender"] = sender
        runtime.db.after_commit_hooks.append(sender.notice_commit)
        while True:
            sender.pace.clear()
            try:
                sent = await sender.run_once()
            except Exception:  # noqa: BLE001 - e.g. database away; try again next poll
                log.exception("webhook delivery round failed")
                sent = 0
            if sent:
                continue
            await sender.pace.wait(worked=False)
