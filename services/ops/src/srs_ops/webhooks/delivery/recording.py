"""Step 1, the ``ops-webhooks`` consumer: keep the organisation read model and record one
durable delivery row per event and matching subscription; no HTTP call."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.app import Runtime
from srs_common.db import utcnow
from srs_common.events.consumer import ConsumerRunner
from srs_common.events.envelope import Event
from srs_common.events.handlers import Handlers
from srs_ops.models import (
    ProjectOrganisation,
    ResearcherOrganisation,
    WebhookDelivery,
    WebhookSubscription,
)
from srs_ops.settings import OpsSettings
from srs_ops.webhooks import domain

DELIVERIES_RECORDED = "ops_webhook_deliveries_recorded"
RESEARCHER_TYPES = {"srs.researcher.registered.v1", "srs.researcher.updated.v1"}
PROJECT_TYPES = {"srs.project.submitted.v1", "srs.project.approved.v1"}


async def _remember_organisation(session: AsyncSession, event: Event) -> None:
    organisation = event.data.get("organisation_id")
    if not isinstance(organisation, str):
        return
    if event.type in RESEARCHER_TYPES:
        await session.merge(
            ResearcherOrganisation(
                researcher_id=event.data["researcher_id"], organisation_id=organisation
            )
        )
    elif event.type in PROJECT_TYPES:
        await session.merge(
            ProjectOrganisation(project_id=event.data["project_id"], organisation_id=organisation)
        )


async def _organisations(session: AsyncSession, data: dict[str, Any]) -> set[str]:
    researchers: dict[str, str] = {}
    projects: dict[str, str] = {}
    if not data.get("organisation_id"):  # absent, or null (e.g. older output events)
        ids = [data.get("researcher_id"), *(data.get("researcher_ids") or [])]
        wanted = [i for i in ids if isinstance(i, str)]
        if wanted:
            researchers = dict(
                (
                    await session.execute(
                        select(
                            ResearcherOrganisation.researcher_id,
                            ResearcherOrganisation.organisation_id,
                        ).where(ResearcherOrganisation.researcher_id.in_(wanted))
                    )
                ).all()
            )
        if isinstance(data.get("project_id"), str):
            row = await session.get(ProjectOrganisation, data["project_id"])
            if row is not None:
                projects[row.project_id] = row.organisation_id
    return domain.organisations_concerned(data, researchers.get, projects.get)


async def record_deliveries(session: AsyncSession, event: Event) -> None:
    """The ``ops-webhooks`` handler: keep the organisation read model, then queue the
    event for every enabled subscription of an organisation it concerns that asked for
    its type. Safe to run twice (inbox; one row per event and subscription)."""
    await _remember_organisation(session, event)
    organisations = await _organisations(session, event.data)
    if not organisations:
        return
    subscriptions = (
        (
            await session.execute(
                select(WebhookSubscription)
                .where(WebhookSubscription.organisation_id.in_(sorted(organisations)))
                .where(WebhookSubscription.enabled.is_(True))
            )
        )
        .scalars()
        .all()
    )
    wanted = [s for s in subscriptions if event.type in s.event_types]
    if not wanted:
        return
    settings: OpsSettings = session.info["settings"]
    now = utcnow()
    body = domain.cloud_event_body(
        event_id=event.id,
        source=event.source,
        type=event.type,
        subject=event.subject,
        time=event.time,
        data=event.data,
    )
    for subscription in wanted:
        session.add(
            WebhookDelivery(
                subscription_id=subscription.id,
                event_id=event.id,
                event_type=event.type,
                subject=event.subject,
                body=body,
                status=domain.DeliveryStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
                retry_until=now + dt.timedelta(hours=settings.webhook_retry_hours),
                created_at=now,
            )
        )
    await session.flush()
    session.info[DELIVERIES_RECORDED] = True


# Every event, whatever its type: subscriptions choose by type and organisation.
HANDLERS = Handlers()
HANDLERS.on_every(record_deliveries)


def webhook_consumer(runtime: Runtime) -> ConsumerRunner:
    settings: OpsSettings = runtime.settings  # type: ignore[assignment]
    return ConsumerRunner(
        runtime.db,
        settings,
        HANDLERS,
        list(settings.monitored_topics),
        consumer=settings.webhook_consumer,
    )


async def webhook_consumer_job(runtime: Runtime) -> None:
    """Job: the delivery consumer, in its own group (``srs-ops-webhooks``)."""
    runner = webhook_consumer(runtime)
    runtime.state["webhook_consumer"] = runner
    await runner.run()
