"""Webhook use cases: managing subscriptions, the delivery log, manual redelivery.

A partner sees and changes only its own organisation's subscriptions (another's: 404);
support reads every subscription and delivery and may redeliver.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ColumnElement, delete, select, true
from sqlalchemy.ext.asyncio import AsyncSession

import srs_common.contracts.ops  # noqa: F401 - registers the ops contracts
from srs_common.auth import Principal
from srs_common.context import settings_of
from srs_common.contracts import platform_contracts
from srs_common.db import utcnow
from srs_common.errors import Forbidden, NotFound
from srs_common.pagination import Page, desc, keyset_page
from srs_ops.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from srs_ops.settings import OpsSettings
from srs_ops.webhooks import domain
from srs_ops.webhooks.schemas import (
    AttemptRead,
    DeliveryDetail,
    DeliveryRead,
    SubscriptionCreate,
    SubscriptionUpdate,
    SubscriptionWithSecret,
)


def partner_organisation(principal: Principal) -> str | None:
    """The organisation whose webhooks the caller may see; None for support (all)."""
    if principal.has("support"):
        return None
    if not principal.org:
        raise Forbidden("the token names no organisation")
    return principal.org


def subscription_visible_to(principal: Principal) -> ColumnElement[bool]:
    """Which subscriptions (and so deliveries) the caller may see, read one or list: its
    organisation's for a partner, every one for support."""
    organisation = partner_organisation(principal)
    if organisation is None:
        return true()
    return WebhookSubscription.organisation_id == organisation


def _settings(session: AsyncSession) -> OpsSettings:
    return settings_of(session, OpsSettings)


async def get_subscription(
    session: AsyncSession, principal: Principal, subscription_id: str
) -> WebhookSubscription:
    query = select(WebhookSubscription).where(
        WebhookSubscription.id == subscription_id, subscription_visible_to(principal)
    )
    subscription = (await session.execute(query)).scalar_one_or_none()
    if subscription is None:
        raise NotFound(f"no webhook subscription {subscription_id}")
    return subscription


async def create_subscription(
    session: AsyncSession, principal: Principal, request: SubscriptionCreate
) -> SubscriptionWithSecret:
    """Subscribe the partner's organisation's endpoint to event types; the signing
    secret is generated here and shown only in this response."""
    organisation = partner_organisation(principal)
    if organisation is None:
        raise Forbidden("only a partner client subscribes, for its own organisation")
    settings = _settings(session)
    now = utcnow()
    subscription = WebhookSubscription(
        id=f"whs_{uuid.uuid4().hex[:20]}",
        organisation_id=organisation,
        created_by=principal.sub,
        url=domain.validate_url(
            request.url,
            allow_http=settings.webhook_allow_http,
            allowed_networks=settings.webhook_test_allowed_networks,
        ),
        event_types=domain.validate_event_types(request.event_types, set(platform_contracts())),
        description=request.description,
        enabled=True,
        secret=domain.new_secret(),
        consecutive_failures=0,
        created_at=now,
        updated_at=now,
    )
    session.add(subscription)
    await session.flush()
    return SubscriptionWithSecret.model_validate(subscription)


async def list_subscriptions(
    session: AsyncSession,
    principal: Principal,
    *,
    limit: int,
    cursor: str | None,
    organisation_id: str | None,
) -> Page[WebhookSubscription]:
    query = select(WebhookSubscription).where(subscription_visible_to(principal))
    if organisation_id:
        query = query.where(WebhookSubscription.organisation_id == organisation_id)
    return await keyset_page(session, query, [WebhookSubscription.id], cursor=cursor, limit=limit)


async def update_subscription(
    session: AsyncSession, principal: Principal, subscription_id: str, request: SubscriptionUpdate
) -> WebhookSubscription:
    """Change the URL, event types, description or enabled flag; enabling a disabled
    subscription clears its failure record so it gets a fresh 24 h."""
    subscription = await get_subscription(session, principal, subscription_id)
    settings = _settings(session)
    if request.url is not None:
        subscription.url = domain.validate_url(
            request.url,
            allow_http=settings.webhook_allow_http,
            allowed_networks=settings.webhook_test_allowed_networks,
        )
    if request.event_types is not None:
        subscription.event_types = domain.validate_event_types(
            request.event_types, set(platform_contracts())
        )
    if "description" in request.model_fields_set:
        subscription.description = request.description
    if request.enabled is not None and request.enabled != subscription.enabled:
        subscription.enabled = request.enabled
        subscription.consecutive_failures = 0
        subscription.failing_since = None
        subscription.disabled_reason = None if request.enabled else "disabled by the partner"
        subscription.disabled_at = None if request.enabled else utcnow()
    subscription.updated_at = utcnow()
    await session.flush()
    return subscription


async def delete_subscription(
    session: AsyncSession, principal: Principal, subscription_id: str
) -> None:
    """Remove a subscription with its pending deliveries and delivery log."""
    subscription = await get_subscription(session, principal, subscription_id)
    deliveries = select(WebhookDelivery.id).where(
        WebhookDelivery.subscription_id == subscription.id
    )
    await session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(deliveries)))
    await session.execute(
        delete(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
    )
    await session.delete(subscription)
    await session.flush()


async def rotate_secret(
    session: AsyncSession, principal: Principal, subscription_id: str
) -> SubscriptionWithSecret:
    """A new signing secret, shown once; the old one keeps signing alongside it for the
    overlap period so the receiver can switch without missing a delivery."""
    subscription = await get_subscription(session, principal, subscription_id)
    now = utcnow()
    subscription.previous_secret = subscription.secret
    subscription.previous_secret_expires_at = now + dt.timedelta(
        hours=_settings(session).webhook_secret_overlap_hours
    )
    subscription.secret = domain.new_secret()
    subscription.updated_at = now
    await session.flush()
    return SubscriptionWithSecret.model_validate(subscription)


async def list_deliveries(
    session: AsyncSession,
    principal: Principal,
    subscription_id: str,
    *,
    limit: int,
    cursor: str | None,
    status: str | None,
    event_type: str | None,
) -> Page[WebhookDelivery]:
    """The subscription's delivery log, newest first."""
    subscription = await get_subscription(session, principal, subscription_id)
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
    if status:
        query = query.where(WebhookDelivery.status == status)
    if event_type:
        query = query.where(WebhookDelivery.event_type == event_type)
    return await keyset_page(session, query, [desc(WebhookDelivery.id)], cursor=cursor, limit=limit)


async def _delivery(
    session: AsyncSession, principal: Principal, delivery_id: int
) -> tuple[WebhookDelivery, WebhookSubscription]:
    delivery = await session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise NotFound(f"no webhook delivery {delivery_id}")
    try:
        subscription = await get_subscription(session, principal, delivery.subscription_id)
    except NotFound:
        raise NotFound(f"no webhook delivery {delivery_id}") from None
    return delivery, subscription


async def get_delivery(
    session: AsyncSession, principal: Principal, delivery_id: int
) -> DeliveryDetail:
    """One delivery with the body sent and every attempt (status, latency, error)."""
    delivery, _ = await _delivery(session, principal, delivery_id)
    attempts = (
        await session.execute(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery.id)
            .order_by(WebhookAttempt.id)
        )
    ).scalars()
    return DeliveryDetail(
        **DeliveryRead.model_validate(delivery).model_dump(),
        body=delivery.body,
        attempt_log=[AttemptRead.model_validate(a) for a in attempts],
    )


async def redeliver(
    session: AsyncSession, principal: Principal, delivery_id: int
) -> WebhookDelivery:
    """Queue a delivered or failed delivery again, at once, with a fresh retry window;
    the delivery job sends it with the same ``webhook-id`` (receivers de-duplicate)."""
    delivery, subscription = await _delivery(session, principal, delivery_id)
    domain.ensure_redeliverable(delivery.status, subscription_enabled=subscription.enabled)
    now = utcnow()
    delivery.status = domain.DeliveryStatus.PENDING
    delivery.next_attempt_at = now
    delivery.retry_until = now + dt.timedelta(hours=_settings(session).webhook_retry_hours)
    delivery.delivered_at = None
    await session.flush()
    return delivery
