"""Webhook delivery, in two steps so a slow partner never slows anything else.

1. ``recording``: the ``ops-webhooks`` consumer (its own consumer group) keeps the
   organisation read model and records one durable delivery row per event and matching
   subscription; it makes no HTTP call.
2. ``sending``: the delivery job sends due rows with httpx (short timeouts), signs them per
   the Standard Webhooks spec, logs every attempt, retries with exponential backoff and
   jitter until the retry window closes, and disables a subscription whose endpoint
   keeps failing, publishing ``srs.webhook.subscription_disabled.v1`` through the outbox.
"""

from __future__ import annotations

from srs_ops.webhooks.delivery.recording import (
    HANDLERS,
    record_deliveries,
    webhook_consumer,
    webhook_consumer_job,
)
from srs_ops.webhooks.delivery.sending import WebhookSender, http_client, webhook_delivery_job

__all__ = [
    "HANDLERS",
    "WebhookSender",
    "http_client",
    "record_deliveries",
    "webhook_consumer",
    "webhook_consumer_job",
    "webhook_delivery_job",
]
