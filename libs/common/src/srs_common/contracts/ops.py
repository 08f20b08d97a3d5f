"""Events published by the ops service on ``srs.ops``."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from srs_common.contracts.base import Contract

TOPIC = "srs.ops"


class WebhookSubscriptionDisabled(Contract):
    """A partner's webhook subscription was switched off after its endpoint kept failing
    (for the configured window or number of consecutive attempts); nothing more is sent
    to it until the partner enables it again."""

    type: ClassVar[str] = "srs.webhook.subscription_disabled.v1"
    topic: ClassVar[str] = TOPIC

    subscription_id: str
    organisation_id: str
    url: str
    reason: str
    consecutive_failures: int
    failing_since: dt.datetime | None = None
    disabled_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        "subscription_id": "whs_01J9Z8Q4V6",
        "organisation_id": "org-ntu",
        "url": "https://hooks.ntu.example/srs",
        "reason": "every delivery failed for 24 hours",
        "consecutive_failures": 31,
        "failing_since": "2026-11-24T10:00:00Z",
        "disabled_at": "2026-11-25T10:00:00Z",
    }
