"""Staff actions on a booking, in the service's audit log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from srs_booking.models import Booking, audit_log
from srs_common.auth import Principal


async def audit_booking(
    session: AsyncSession,
    principal: Principal,
    booking: Booking,
    action: str,
    now: dt.datetime,
    reason: str | None = None,
) -> None:
    """Record a member of staff's action on one booking in the audit log."""
    await audit_log.append(
        session,
        actor=principal.actor_id,
        action=action,
        outcome=booking.status,
        occurred_at=now,
        subject=("booking", booking.id),
        researcher_id=booking.researcher_id,
        project_id=booking.project_id,
        detail={"reason": reason, "site_id": booking.site_id, "place": booking.place},
    )
