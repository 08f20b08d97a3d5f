"""The ops-webhooks consumer on a fetched run: applied set-based, the run records the same
deliveries and leaves the same organisation read model as its events applied one at a
time, in a few statements whatever the run's length."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
from sqlalchemy import event as sa_event
from sqlalchemy import select

from srs_common.contracts.access import AccessGranted, AccountEnabled, ProjectSpaceProvisioned
from srs_common.contracts.accreditation import ResearcherRegistered, ResearcherUpdated
from srs_common.contracts.base import Contract
from srs_common.contracts.clearance import OutputApproved
from srs_common.contracts.projects import ProjectApproved, ProjectSubmitted
from srs_common.events.consumer import ConsumerRunner
from srs_common.testing import consumer_record, example_of
from srs_ops.models import (
    ProjectOrganisation,
    ResearcherOrganisation,
    WebhookDelivery,
    WebhookSubscription,
)
from srs_ops.webhooks.delivery import HANDLERS

ORG_A, ORG_B = "org-a", "org-b"
ORG_QUIET = "org-quiet"  # no subscription at all


def registered(researcher: str, org: str) -> ResearcherRegistered:
    return example_of(ResearcherRegistered, researcher_id=researcher, organisation_id=org)


def updated(researcher: str, org: str) -> ResearcherUpdated:
    return example_of(ResearcherUpdated, researcher_id=researcher, organisation_id=org)


def approved(project: str, org: str) -> ProjectApproved:
    return example_of(ProjectApproved, project_id=project, organisation_id=org)


def submitted(project: str, org: str) -> ProjectSubmitted:
    return example_of(ProjectSubmitted, project_id=project, organisation_id=org)


def account_enabled(project: str, researcher: str) -> AccountEnabled:
    return example_of(AccountEnabled, project_id=project, researcher_id=researcher)


def access_granted(project: str, researcher: str) -> AccessGranted:
    return example_of(AccessGranted, project_id=project, researcher_id=researcher)


def provisioned(project: str) -> ProjectSpaceProvisioned:
    return example_of(ProjectSpaceProvisioned, project_id=project)


def output_approved(project: str) -> OutputApproved:
    """An output event whose organisation is null: its project decides."""
    return example_of(OutputApproved, project_id=project, organisation_id=None)


# What the partners asked for: (organisation, url, event types, enabled).
SUBSCRIPTIONS = [
    (
        ORG_A,
        "https://a.example/all-but-submitted",
        [
            ResearcherRegistered.type,
            ProjectApproved.type,
            AccountEnabled.type,
            AccessGranted.type,
            ProjectSpaceProvisioned.type,
            OutputApproved.type,
        ],
        True,
    ),
    (ORG_A, "https://a.example/switched-off", [ProjectApproved.type, AccountEnabled.type], False),
    (ORG_B, "https://b.example/people", [ResearcherUpdated.type, AccessGranted.type], True),
    (ORG_B, "https://b.example/accounts", [AccountEnabled.type], True),
]

# Read-model rows the database holds before the run.
BEFORE_THE_RUN = [
    (registered("res-old", ORG_B), "res-old"),
    (approved("prj-old", ORG_A), "prj-old"),
    (registered("res-moving", ORG_A), "res-moving"),
]

# The fetched run, in order: (payload, subject).
RUN: list[tuple[Contract, str]] = [
    (registered("res-1", ORG_A), "res-1"),
    (approved("prj-1", ORG_A), "prj-1"),
    # Both organisations from mappings set earlier in this run.
    (account_enabled("prj-1", "res-1"), "acct-1"),
    # Both from the database: the project's org-a, the researcher's org-b.
    (account_enabled("prj-old", "res-old"), "acct-old"),
    # The researcher moves in the run: before the move org-a, after it org-b.
    (access_granted("prj-unknown", "res-moving"), "dec-1"),
    (updated("res-moving", ORG_B), "res-moving"),
    (access_granted("prj-unknown", "res-moving"), "dec-2"),
    # An organisation nobody subscribed for.
    (approved("prj-quiet", ORG_QUIET), "prj-quiet"),
    (provisioned("prj-quiet"), "prj-quiet"),
    # A type org-a's subscriptions did not ask for.
    (submitted("prj-1", ORG_A), "prj-1"),
    (output_approved("prj-1"), "out-1"),
    (provisioned("prj-1"), "prj-1"),
    # Nobody knows this project.
    (provisioned("prj-nobody"), "prj-nobody"),
]


def records(events: list[tuple[Contract, str]], start: int = 0) -> list[Any]:
    return [
        consumer_record(payload, subject=subject, offset=start + n)
        for n, (payload, subject) in enumerate(events)
    ]


@contextlib.contextmanager
def statements(client: httpx.AsyncClient) -> Any:
    """The SQL statements ``client``'s database runs inside the block."""
    seen: list[str] = []
    engine = client.runtime.db.engine.sync_engine  # type: ignore[attr-defined]

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)


async def subscribe_all(client: httpx.AsyncClient, tokens: Any) -> None:
    for org, url, types, enabled in SUBSCRIPTIONS:
        headers = tokens.headers("partner", sub=f"client-{org}", org=org, scope="webhooks:manage")
        response = await client.post(
            "/v1/webhooks/subscriptions", headers=headers, json={"url": url, "event_types": types}
        )
        assert response.status_code == 201, response.text
        if not enabled:
            path = f"/v1/webhooks/subscriptions/{response.json()['id']}"
            off = await client.patch(path, headers=headers, json={"enabled": False})
            assert off.status_code == 200, off.text


async def state(client: httpx.AsyncClient) -> dict[str, list[tuple[Any, ...]]]:
    """What the consumer left: delivery rows (by subscription url) and the read model."""
    async with client.runtime.db.engine.connect() as conn:  # type: ignore[attr-defined]
        deliveries = await conn.execute(
            select(
                WebhookSubscription.url,
                WebhookDelivery.event_id,
                WebhookDelivery.event_type,
                WebhookDelivery.subject,
                WebhookDelivery.body,
                WebhookDelivery.status,
                WebhookDelivery.attempts,
                WebhookDelivery.next_attempt_at,
                WebhookDelivery.retry_until,
                WebhookDelivery.created_at,
            ).join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        )
        researchers = await conn.execute(select(ResearcherOrganisation))
        projects = await conn.execute(select(ProjectOrganisation))
        return {
            # Times differ between the two databases: what must match is the schedule.
            "deliveries": sorted(
                (*row[:7], row.next_attempt_at == row.created_at, row.retry_until - row.created_at)
                for row in deliveries
            ),
            "researchers": sorted(tuple(row) for row in researchers),
            "projects": sorted(tuple(row) for row in projects),
        }


@contextlib.asynccontextmanager
async def ops_with_subscriptions(
    service_client: Callable[..., Any], tokens: Any, before: list[Any]
) -> AsyncIterator[tuple[httpx.AsyncClient, ConsumerRunner]]:
    """A fresh ops database with the partners' subscriptions and the read model's rows
    from before the run, and the ops-webhooks consumer over it."""
    async with service_client("ops") as client:
        runtime = client.runtime
        runner = ConsumerRunner(
            runtime.db, runtime.settings, HANDLERS, [], consumer=runtime.settings.webhook_consumer
        )
        await subscribe_all(client, tokens)
        for record in before:
            await runner.records.process_all([record])
        yield client, runner


async def test_a_run_records_what_its_events_one_by_one_record(service_client, tokens):
    before, run = records(BEFORE_THE_RUN), records(RUN, start=len(BEFORE_THE_RUN))
    async with ops_with_subscriptions(service_client, tokens, before) as (client, runner):
        for record in run:
            await runner.records.process_all([record])
        one_by_one = await state(client)
    async with ops_with_subscriptions(service_client, tokens, before) as (client, runner):
        with statements(client) as run_statements:
            await runner.records.process_all(run)
        together = await state(client)
        assert runner.processed == len(BEFORE_THE_RUN) + len(RUN)

    assert together == one_by_one
    delivered = sorted((url, subject) for url, _, _, subject, *_ in together["deliveries"])
    assert delivered == [
        ("https://a.example/all-but-submitted", "acct-1"),
        ("https://a.example/all-but-submitted", "acct-old"),
        ("https://a.example/all-but-submitted", "dec-1"),
        ("https://a.example/all-but-submitted", "out-1"),
        ("https://a.example/all-but-submitted", "prj-1"),  # approved
        ("https://a.example/all-but-submitted", "prj-1"),  # provisioned
        ("https://a.example/all-but-submitted", "prj-old"),  # before the run
        ("https://a.example/all-but-submitted", "res-1"),
        ("https://a.example/all-but-submitted", "res-moving"),  # before the run
        ("https://b.example/accounts", "acct-old"),
        ("https://b.example/people", "dec-2"),
        ("https://b.example/people", "res-moving"),
    ]
    assert ("res-moving", ORG_B) in together["researchers"]
    assert ("prj-quiet", ORG_QUIET) in together["projects"]

    # One read of the subscriptions for the whole run, one insert of its deliveries.
    def touching(seen: list[str], verb: str, table: str) -> int:
        return sum(1 for s in seen if s.lstrip().upper().startswith(verb) and table in s)

    assert touching(run_statements, "SELECT", "FROM webhook_subscription") == 1
    assert touching(run_statements, "INSERT", "INTO webhook_delivery") == 1
    assert len(run_statements) <= 8, run_statements  # with the inbox claim (and BEGIN)


async def test_the_monitor_stores_a_run_in_one_insert_as_one_by_one(service_client, tokens):
    """The event store (group srs-ops) keeps a run's events with one INSERT, the same rows
    as when they come one at a time; a repeated event is kept once."""
    from srs_ops.models import EventRecord
    from srs_ops.monitor import HANDLERS as MONITOR

    run = records(RUN)

    async def stored(client: httpx.AsyncClient) -> list[tuple[Any, ...]]:
        async with client.runtime.db.engine.connect() as conn:  # type: ignore[attr-defined]
            rows = await conn.execute(
                select(
                    EventRecord.event_id,
                    EventRecord.type,
                    EventRecord.subject,
                    EventRecord.offset,
                    EventRecord.data,
                ).order_by(EventRecord.offset)
            )
            return [tuple(row) for row in rows]

    stores = []
    for together in (False, True):
        async with service_client("ops") as client:
            runtime = client.runtime
            runner = ConsumerRunner(runtime.db, runtime.settings, MONITOR, [])
            with statements(client) as seen:
                if together:
                    await runner.records.process_all([*run, run[0]])
                else:
                    for record in run:
                        await runner.records.process_all([record])
            stores.append(await stored(client))
            if together:
                inserts = [s for s in seen if s.lstrip().upper().startswith("INSERT INTO EVENT")]
                assert len(inserts) == 1, inserts
    assert stores[0] == stores[1]
    assert [row[3] for row in stores[1]] == list(range(len(RUN)))
