"""Notify: the caller's own notification preferences; the delivery log (support).

Seed: ``res-owner`` registered, with a booking-confirmed e-mail queued for them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from srs_common.contracts import booking
from srs_common.contracts.accreditation import ResearcherRegistered
from srs_notify.models import Notification

from . import COMMON, Listing, Only, Seeded

EXPECTED: dict[str, Any] = {
    **COMMON,
    # "My" preferences: researcher B reads and changes only their own.
    "GET /v1/notification-preferences": Only("researcher"),
    "PATCH /v1/notification-preferences": Only("researcher"),
    "GET /v1/notifications": Listing("support"),
    "GET /v1/notifications/{notification_id}": Only("support", reads=True),
    "POST /v1/notifications/{notification_id}/retry": Only("support"),
}


async def seed(client: Any, tokens: Any, deliver: Any) -> Seeded:
    now = dt.datetime.now(dt.UTC)
    await deliver(
        client,
        ResearcherRegistered(
            researcher_id="res-owner",
            name="Owner A",
            email="owner@org-a.example",
            organisation_id="org-a",
            occurred_at=now,
        ),
        subject="res-owner",
    )
    starts = (now + dt.timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    await deliver(
        client,
        booking.BookingConfirmed.model_validate(
            {
                **booking.BookingConfirmed.example,
                "booking_id": "bkg_owner_a",
                "researcher_id": "res-owner",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + dt.timedelta(hours=4)).isoformat(),
            }
        ),
        subject="bkg_owner_a",
    )
    async with client.runtime.db.engine.connect() as conn:
        notification_id = (await conn.execute(select(Notification.id))).scalars().first()
    assert notification_id is not None
    return Seeded(
        params={"notification_id": str(notification_id)},
        secrets={"owner@org-a.example", "bkg_owner_a"},
    )
