"""Booking test fixtures: a client with the reference sites and a fixed clock, and a way
to make a researcher eligible through the same events the other services publish."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from srs_booking.api import current_time
from srs_booking.seed import reference_sites
from srs_common.contracts.access import DatasetCatalogued
from srs_common.contracts.accreditation import AccreditationGranted
from srs_common.contracts.projects import ProjectActivated, ProjectApproved, ProjectMember

# Monday 25 October 2027, 10:00 UTC: British Summer Time ends on Sunday 31 October.
NOW = dt.datetime(2027, 10, 25, 10, 0, tzinfo=dt.UTC)
PROJECT = "prj_burglary"
DATASET = "ds-csew-2019"


class Clock:
    """The injected clock: tests move it; the app reads it through ``current_time``."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
async def client(service_client) -> AsyncIterator[httpx.AsyncClient]:
    async with service_client("booking") as c:
        async with c.runtime.db.transaction() as session:
            session.add_all(reference_sites())
        c.clock = Clock(NOW)
        c.app.dependency_overrides[current_time] = c.clock
        yield c


@pytest.fixture
def eligible(tokens, deliver) -> Callable[..., Any]:
    """``await eligible(client, "res-a")``: accredited, declaration signed, an active member
    of an active project whose dataset is catalogued; returns the researcher's headers."""

    async def make(
        client: httpx.AsyncClient,
        researcher_id: str,
        *,
        project_id: str = PROJECT,
        sign: bool = True,
        valid_until: dt.date = dt.date(2029, 1, 1),
    ) -> dict[str, str]:
        when = NOW - dt.timedelta(days=30)
        await deliver(
            client,
            AccreditationGranted(
                accreditation_id=f"acc-{researcher_id}",
                researcher_id=researcher_id,
                organisation_id="org-ntu",
                kind="full",
                status="current",
                valid_from=dt.date(2026, 1, 1),
                valid_until=valid_until,
                occurred_at=when,
            ),
            subject=researcher_id,
        )
        await deliver(
            client,
            DatasetCatalogued(
                dataset_id=DATASET,
                title="Crime Survey",
                owner="ONS",
                access_level="safe_setting",
                disclosure_threshold=10,
                occurred_at=when,
            ),
            subject=DATASET,
        )
        await deliver(
            client,
            ProjectApproved(
                project_id=project_id,
                title="Burglary",
                organisation_id="org-ntu",
                legal_gateway="DEA",
                dataset_ids=[DATASET],
                members=[ProjectMember(researcher_id=researcher_id, role="researcher")],
                expected_end_date=dt.date(2029, 1, 1),
                approved_at=when,
            ),
            subject=project_id,
        )
        await deliver(
            client,
            ProjectActivated(
                project_id=project_id,
                organisation_id="org-ntu",
                dataset_ids=[DATASET],
                occurred_at=when + dt.timedelta(hours=1),
            ),
            subject=project_id,
        )
        headers = tokens.headers("researcher", researcher_id=researcher_id)
        if sign:
            signed = await client.post(
                "/v1/declarations", json={"version": "2026.1"}, headers=headers
            )
            assert signed.status_code == 201, signed.text
        return headers

    return make


@pytest.fixture
def book() -> Callable[..., Any]:
    """``await book(client, headers, "2027-10-27T08:00:00Z", "2027-10-27T10:00:00Z")``."""

    async def post(
        client: httpx.AsyncClient,
        headers: dict[str, str],
        starts_at: str,
        ends_at: str,
        *,
        site_id: str = "titchfield",
        place: str = "T1",
        project_id: str = PROJECT,
    ) -> httpx.Response:
        return await client.post(
            "/v1/bookings",
            headers=headers,
            json={
                "project_id": project_id,
                "site_id": site_id,
                "place": place,
                "starts_at": starts_at,
                "ends_at": ends_at,
            },
        )

    return post


async def outbox_events(client: httpx.AsyncClient) -> list[tuple[str, dict[str, Any]]]:
    import json

    from sqlalchemy import select

    from srs_booking.models import messaging

    async with client.runtime.db.engine.connect() as conn:
        rows = (await conn.execute(select(messaging.outbox).order_by(messaging.outbox.c.id))).all()
    return [(row.type, json.loads(row.payload)) for row in rows]


@pytest.fixture
def events() -> Callable[..., Any]:
    """``await events(client)``: the (type, payload) of every outbox row, in order."""
    return outbox_events
