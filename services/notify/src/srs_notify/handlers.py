"""Consumed event type -> handler; each is safe to run twice (the inbox drops a
redelivered event, and the notification's unique key (event, recipient, notice) keeps a
second copy of the same e-mail out even if an event arrived under another source)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.contracts import access, accreditation, booking, clearance, projects
from srs_common.db import utcnow
from srs_common.events.consumer import Handler
from srs_common.events.envelope import Event
from srs_notify import domain, service
from srs_notify.settings import NotifySettings

# Events that only feed the read models (who people are, what projects are called).
READ_MODEL_TYPES = (
    accreditation.ResearcherRegistered.type,
    accreditation.ResearcherUpdated.type,
    projects.ProjectSubmitted.type,
    projects.ProjectMemberAdded.type,
    projects.ProjectMemberRemoved.type,
    projects.ProjectLeadChanged.type,
    access.DatasetCatalogued.type,
)
CONSUMED_TYPES = tuple(dict.fromkeys((*READ_MODEL_TYPES, *domain.NOTICE_BY_EVENT_TYPE)))
CONSUMED_TOPICS: list[str] = [
    accreditation.TOPIC,
    projects.TOPIC,
    booking.TOPIC,
    clearance.TOPIC,
    access.TOPIC,
]


def make_handlers(settings: NotifySettings) -> dict[str, Handler]:
    """Every consumed type goes to one handler: update read models, queue e-mails."""
    stale_after = dt.timedelta(hours=settings.stale_after_hours)
    member_requests_to = {"support": domain.SUPPORT, "panel": domain.PANEL}[
        settings.member_requests_decided_by
    ]

    async def on_event(session: AsyncSession, event: Event) -> None:
        assert event.payload is not None
        await service.notify_about_event(
            session,
            event.payload,
            event_id=event.id,
            event_time=event.time,
            now=utcnow(),
            stale_after=stale_after,
            member_requests_to=member_requests_to,
        )

    return {event_type: on_event for event_type in CONSUMED_TYPES}
