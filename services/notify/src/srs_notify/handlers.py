"""The consumed contracts and their handler; each is safe to run twice (the inbox drops a
redelivered event, and the notification's unique key (event, recipient, notice) keeps a
second copy of the same e-mail out even if an event arrived under another source)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.contracts import REGISTRY, Contract, access, accreditation, projects
from srs_common.db import utcnow
from srs_common.events.envelope import Event
from srs_common.events.handlers import Handlers, topics_of
from srs_notify import domain, queueing
from srs_notify.settings import NotifySettings

# Events that only feed the read models (who people are, what projects are called).
READ_MODEL_CONTRACTS: tuple[type[Contract], ...] = (
    accreditation.ResearcherRegistered,
    accreditation.ResearcherUpdated,
    projects.ProjectSubmitted,
    projects.ProjectMemberAdded,
    projects.ProjectMemberRemoved,
    projects.ProjectLeadChanged,
    access.DatasetCatalogued,
)
# And the events a notice is about (a notice naming a type no contract has fails here).
CONSUMED: tuple[type[Contract], ...] = tuple(
    dict.fromkeys((*READ_MODEL_CONTRACTS, *(REGISTRY[t] for t in domain.NOTICE_BY_EVENT_TYPE)))
)
CONSUMED_TOPICS = topics_of(CONSUMED)


def make_handlers(settings: NotifySettings) -> Handlers:
    """Every consumed type goes to one handler: update read models, queue e-mails."""
    stale_after = dt.timedelta(hours=settings.stale_after_hours)
    member_requests_to = {"support": domain.SUPPORT, "panel": domain.PANEL}[
        settings.member_requests_decided_by
    ]

    handlers = Handlers()

    @handlers.on(*CONSUMED)
    async def on_event(session: AsyncSession, event: Event, payload: Contract) -> None:
        await queueing.notify_about_event(
            session,
            payload,
            event_id=event.id,
            event_time=event.time,
            now=utcnow(),
            stale_after=stale_after,
            member_requests_to=member_requests_to,
        )

    return handlers
