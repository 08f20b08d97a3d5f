"""The event store over HTTP: search, filters, pagination, sagas, retention, who may see."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from srs_common.db import utcnow
from srs_ops.models import EventRecord
from srs_ops.monitor import sweep_expired

T0 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


def record(
    type_: str,
    *,
    subject: str = "prj_1",
    correlation_id: str | None = "corr-1",
    source: str = "/srs/projects",
    at: dt.datetime = T0,
    received_at: dt.datetime | None = None,
) -> EventRecord:
    return EventRecord(
        event_id=str(uuid.uuid4()),
        source=source,
        type=type_,
        subject=subject,
        correlation_id=correlation_id,
        time=at,
        topic="srs.projects",
        partition=0,
        offset=0,
        key=subject,
        data={"project_id": subject},
        received_at=received_at or utcnow(),
    )


async def store(client, *records: EventRecord) -> None:
    async with client.runtime.db.transaction() as session:
        session.add_all(records)


async def test_search_filters_by_type_subject_source_and_correlation(client, tokens):
    await store(
        client,
        record("srs.project.approved.v1", subject="prj_1"),
        record("srs.project.approved.v1", subject="prj_2", correlation_id="corr-2"),
        record("srs.project_space.provisioned.v1", subject="prj_1", source="/srs/access"),
    )
    ops = tokens.headers("ops")

    async def subjects(**params):
        body = (await client.get("/v1/events", params=params, headers=ops)).json()
        return sorted((e["type"], e["subject"]) for e in body["items"])

    assert await subjects(type="srs.project.approved.v1") == [
        ("srs.project.approved.v1", "prj_1"),
        ("srs.project.approved.v1", "prj_2"),
    ]
    assert await subjects(subject="prj_2") == [("srs.project.approved.v1", "prj_2")]
    assert await subjects(source="/srs/access") == [("srs.project_space.provisioned.v1", "prj_1")]
    assert len(await subjects(correlation_id="corr-1")) == 2
    assert await subjects(since="2026-11-25T11:00:00Z") == []


async def test_search_pages_newest_first_without_overlap(client, tokens):
    await store(client, *[record("srs.project.submitted.v1", subject=f"prj_{i}") for i in range(5)])
    ops = tokens.headers("support")
    first = (await client.get("/v1/events", params={"limit": 3}, headers=ops)).json()
    second = (
        await client.get("/v1/events", params={"limit": 3, "cursor": first["next"]}, headers=ops)
    ).json()
    seen = [e["subject"] for e in first["items"] + second["items"]]
    assert seen == [f"prj_{i}" for i in reversed(range(5))]
    assert second["next"] is None


async def test_a_forged_cursor_is_a_clear_422(client, tokens):
    response = await client.get(
        "/v1/events", params={"cursor": "not-ours"}, headers=tokens.headers("ops")
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_saga_orders_steps_across_services_and_names_the_missing_one(client, tokens):
    cid = "corr-saga"
    await store(
        client,
        record(
            "srs.project_space.provisioned.v1",
            source="/srs/access",
            correlation_id=cid,
            at=T0 + dt.timedelta(milliseconds=400),
        ),
        record("srs.project.approved.v1", correlation_id=cid, at=T0),
    )
    saga = (await client.get(f"/v1/sagas/{cid}", headers=tokens.headers("ops"))).json()
    assert [s["event"]["type"] for s in saga["steps"]] == [
        "srs.project.approved.v1",
        "srs.project_space.provisioned.v1",
    ]
    assert [s["delay_ms"] for s in saga["steps"]] == [None, 400]
    assert saga["complete"] is False
    assert saga["waiting_on"] == "srs.project.activated.v1"


async def test_unknown_saga_is_404(client, tokens):
    response = await client.get("/v1/sagas/nobody", headers=tokens.headers("ops"))
    assert response.status_code == 404


async def test_retention_removes_only_events_older_than_the_policy(client, tokens):
    now = utcnow()
    await store(
        client,
        record("srs.project.submitted.v1", subject="old", received_at=now - dt.timedelta(days=31)),
        record(
            "srs.project.submitted.v1", subject="recent", received_at=now - dt.timedelta(days=29)
        ),
    )
    async with client.runtime.db.transaction() as session:
        assert await sweep_expired(session, now, client.runtime.settings.retention_days) == 1
    body = (await client.get("/v1/events", headers=tokens.headers("ops"))).json()
    assert [e["subject"] for e in body["items"]] == ["recent"]


READ_ROUTES = [
    "/v1/events",
    "/v1/sagas/corr-1",
    "/v1/lag",
    "/v1/services/messaging",
    "/v1/dead-letters",
    "/v1/dead-letters/1",
    "/v1/events/stream",
]


@pytest.mark.parametrize("path", READ_ROUTES)
async def test_monitoring_needs_an_ops_or_support_token(client, tokens, path):
    assert (await client.get(path)).status_code == 401
    for role in ("researcher", "panel", "checker", "partner", "data_owner"):
        response = await client.get(path, headers=tokens.headers(role, org="org-1"))
        assert response.status_code == 403, (role, response.text)


@pytest.mark.parametrize("action", ["replay", "discard"])
async def test_only_support_may_replay_or_discard(client, tokens, action):
    body = {"reason": "fixed upstream"}
    assert (await client.post(f"/v1/dead-letters/1/{action}", json=body)).status_code == 401
    for role in ("ops", "researcher", "panel"):
        response = await client.post(
            f"/v1/dead-letters/1/{action}", json=body, headers=tokens.headers(role)
        )
        assert response.status_code == 403, role


async def test_console_and_asyncapi_are_served(client):
    page = await client.get("/console")
    assert page.status_code == 200 and "SRS operations console" in page.text
    doc = (await client.get("/asyncapi.json")).json()
    assert doc["asyncapi"] == "3.0.0"
    assert doc["channels"]["projects"]["address"] == "srs.projects"
