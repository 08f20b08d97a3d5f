"""Step 1, the ``ops-webhooks`` consumer: keep the organisation read model and record one
durable delivery row per event and matching subscription; no HTTP call.

It sees every event on every monitored topic, so it works on a fetched run at a time: one
read per read-model table for the organisations the run's events name, one upsert per
table for the mappings the run sets, one read of the enabled subscriptions and one insert
of the deliveries, whatever the run's length. A single event is a run of one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from srs_common.app import Runtime
from srs_common.db import conflict_insert, utcnow
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


class _Organisations:
    """The organisation read model as the events of a run see it, one after another: the
    rows read before the run, under the mappings the run's earlier events set."""

    def __init__(self, researchers: dict[str, str], projects: dict[str, str]) -> None:
        self.researchers = researchers
        self.projects = projects
        # What the run sets, to write back: the last mapping of a key wins.
        self.researchers_set: dict[str, str] = {}
        self.projects_set: dict[str, str] = {}

    @classmethod
    async def read(cls, session: AsyncSession, events: Sequence[Event]) -> _Organisations:
        """The rows of every researcher and project an event of ``events`` may be
        resolved through (at most one query per table)."""
        researcher_ids: set[str] = set()
        project_ids: set[str] = set()
        for event in events:
            if event.data.get("organisation_id"):  # named in the payload: nothing to look up
                continue
            ids = [event.data.get("researcher_id"), *(event.data.get("researcher_ids") or [])]
            researcher_ids.update(i for i in ids if isinstance(i, str))
            if isinstance(event.data.get("project_id"), str):
                project_ids.add(event.data["project_id"])
        return cls(
            await _mappings(
                session,
                ResearcherOrganisation.researcher_id,
                ResearcherOrganisation.organisation_id,
                researcher_ids,
            ),
            await _mappings(
                session,
                ProjectOrganisation.project_id,
                ProjectOrganisation.organisation_id,
                project_ids,
            ),
        )

    def remember(self, event: Event) -> None:
        """Apply the mapping ``event`` sets, when it is one of the events that set one."""
        organisation = event.data.get("organisation_id")
        if not isinstance(organisation, str):
            return
        if event.type in RESEARCHER_TYPES:
            researcher_id = event.data["researcher_id"]
            self.researchers[researcher_id] = self.researchers_set[researcher_id] = organisation
        elif event.type in PROJECT_TYPES:
            project_id = event.data["project_id"]
            self.projects[project_id] = self.projects_set[project_id] = organisation

    def concerned_by(self, event: Event) -> set[str]:
        return domain.organisations_concerned(event.data, self.researchers.get, self.projects.get)

    async def write(self, session: AsyncSession) -> None:
        """Upsert what the run set: one statement per table."""
        await _upsert(session, ResearcherOrganisation, "researcher_id", self.researchers_set)
        await _upsert(session, ProjectOrganisation, "project_id", self.projects_set)


async def _mappings(
    session: AsyncSession,
    key: InstrumentedAttribute[str],
    organisation: InstrumentedAttribute[str],
    ids: set[str],
) -> dict[str, str]:
    if not ids:
        return {}
    rows = await session.execute(select(key, organisation).where(key.in_(sorted(ids))))
    return {row[0]: row[1] for row in rows}


async def _upsert(
    session: AsyncSession,
    model: type[ResearcherOrganisation | ProjectOrganisation],
    key: str,
    organisations: dict[str, str],
) -> None:
    if not organisations:
        return
    statement = conflict_insert(session.get_bind().dialect.name, model)
    # The mappings as execute parameters: ``.values(rows)`` would be compiled on every call.
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[key],
            set_={"organisation_id": statement.excluded.organisation_id},
            # An unchanged mapping is not rewritten (as ``session.merge`` did not).
            where=model.organisation_id != statement.excluded.organisation_id,
        ),
        [{key: k, "organisation_id": org} for k, org in organisations.items()],
    )


async def _enabled_subscriptions(
    session: AsyncSession, organisations: Iterable[str]
) -> dict[str, list[tuple[str, list[str]]]]:
    """Per organisation, its enabled subscriptions as (id, event types), in id order."""
    wanted = sorted(set(organisations))
    if not wanted:
        return {}
    rows = await session.execute(
        select(
            WebhookSubscription.organisation_id,
            WebhookSubscription.id,
            WebhookSubscription.event_types,
        )
        .where(WebhookSubscription.organisation_id.in_(wanted))
        .where(WebhookSubscription.enabled.is_(True))
        .order_by(WebhookSubscription.id)
    )
    subscriptions: dict[str, list[tuple[str, list[str]]]] = {}
    for organisation_id, subscription_id, event_types in rows:
        subscriptions.setdefault(organisation_id, []).append((subscription_id, event_types))
    return subscriptions


async def record_deliveries_many(session: AsyncSession, events: Sequence[Event]) -> None:
    """The ``ops-webhooks`` handler for a run of events, in order: keep the organisation
    read model, then queue each event for every enabled subscription of an organisation
    it concerns that asked for its type. Leaves what :func:`record_deliveries` applied to
    each in turn leaves, in a few statements. Safe to run twice (inbox; one row per event
    and subscription)."""
    organisations = await _Organisations.read(session, events)
    concerned: list[tuple[Event, set[str]]] = []
    for event in events:
        organisations.remember(event)
        concerned.append((event, organisations.concerned_by(event)))
    await organisations.write(session)
    subscriptions = await _enabled_subscriptions(
        session, (org for _, orgs in concerned for org in orgs)
    )
    settings: OpsSettings = session.info["settings"]
    now = utcnow()
    retry_until = now + dt.timedelta(hours=settings.webhook_retry_hours)
    deliveries: list[dict[str, Any]] = []
    for event, orgs in concerned:
        wanted = [
            subscription_id
            for org in sorted(orgs)
            for subscription_id, event_types in subscriptions.get(org, [])
            if event.type in event_types
        ]
        if not wanted:
            continue
        body = domain.cloud_event_body(
            event_id=event.id,
            source=event.source,
            type=event.type,
            subject=event.subject,
            time=event.time,
            data=event.data,
        )
        deliveries += [
            {
                "subscription_id": subscription_id,
                "event_id": event.id,
                "event_type": event.type,
                "subject": event.subject,
                "body": body,
                "status": domain.DeliveryStatus.PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "retry_until": retry_until,
                "created_at": now,
            }
            for subscription_id in wanted
        ]
    if not deliveries:
        return
    await session.execute(insert(WebhookDelivery), deliveries)
    session.info[DELIVERIES_RECORDED] = True  # wakes the delivery job after the commit


async def record_deliveries(session: AsyncSession, event: Event) -> None:
    """The ``ops-webhooks`` handler for one event (and for each event of a run that failed
    together): the run of one."""
    await record_deliveries_many(session, [event])


# Every event, whatever its type: subscriptions choose by type and organisation.
HANDLERS = Handlers()
HANDLERS.on_every(record_deliveries)
HANDLERS.on_every_many(record_deliveries_many)


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
