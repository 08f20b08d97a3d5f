"""Booking: sites, availability, the security declaration, bookings.

Seed: the reference sites; ``res-owner`` eligible (accredited, declaration signed, an
active member of active project ``prj_owner_a``) with one booking. The clock is fixed
(Monday 25 October 2027) as the service's own tests fix it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from srs_booking.api import current_time
from srs_booking.seed import reference_sites
from srs_common.contracts.access import DatasetCatalogued
from srs_common.contracts.accreditation import AccreditationGranted
from srs_common.contracts.projects import ProjectActivated, ProjectApproved, ProjectMember

from . import COMMON, Listing, Only, Seeded

NOW = dt.datetime(2027, 10, 25, 10, 0, tzinfo=dt.UTC)
PROJECT = "prj_owner_a"
DATASET = "ds-csew-2019"
SIGNED_IN = ("researcher", "panel", "checker", "support", "ops", "partner", "data_owner")
# Researcher B tries to book a free place on owner A's project.
INTRUDING_BOOKING = {
    "project_id": PROJECT,
    "site_id": "titchfield",
    "place": "T2",
    "starts_at": "2027-10-28T08:00:00Z",
    "ends_at": "2027-10-28T10:00:00Z",
}

EXPECTED: dict[str, Any] = {
    **COMMON,
    "GET /v1/audit/booking": Listing("support", "ops"),
    "GET /v1/audit/booking/verification": Only("support", "ops", reads=True),
    "GET /v1/sites": Listing(),
    "GET /v1/sites/{site_id}": Only(*SIGNED_IN, reads=True),
    "GET /v1/sites/{site_id}/closures": Only(*SIGNED_IN, reads=True),
    "POST /v1/sites/{site_id}/closures": Only("support"),
    "POST /v1/sites/{site_id}/hours-changes": Only("support"),
    "GET /v1/availability": Listing(),
    "GET /v1/declaration": Listing(),
    # The caller's own signature, never another's.
    "POST /v1/declarations": Only("researcher"),
    "GET /v1/declarations/me": Only("researcher"),
    # 422 "not an active member of the project": the same answer for a project that
    # does not exist, so it reveals nothing of owner A's.
    "POST /v1/bookings": Only(body=INTRUDING_BOOKING, refusals=(403, 404, 422)),
    "GET /v1/bookings": Listing("support"),
    "GET /v1/bookings/{booking_id}": Only("support", reads=True),
    "POST /v1/bookings/{booking_id}/cancel": Only("support"),
    "POST /v1/bookings/{booking_id}/attended": Only("support"),
    "POST /v1/bookings/{booking_id}/no-show": Only("support"),
}


async def eligible(
    client: Any, tokens: Any, deliver: Any, researchers: list[str], project_id: str = PROJECT
) -> None:
    """Reference sites, a fixed clock, and ``researchers`` accredited members of an active
    project, each with the declaration signed."""
    if current_time not in client.app.dependency_overrides:
        async with client.runtime.db.transaction() as session:
            session.add_all(reference_sites())
        client.app.dependency_overrides[current_time] = lambda: NOW
    when = NOW - dt.timedelta(days=30)
    for researcher_id in researchers:
        await deliver(
            client,
            AccreditationGranted(
                accreditation_id=f"acc-{researcher_id}",
                researcher_id=researcher_id,
                organisation_id="org-a",
                kind="full",
                status="current",
                valid_from=dt.date(2026, 1, 1),
                valid_until=dt.date(2029, 1, 1),
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
            organisation_id="org-a",
            legal_gateway="DEA",
            dataset_ids=[DATASET],
            members=[ProjectMember(researcher_id=r, role="researcher") for r in researchers],
            expected_end_date=dt.date(2029, 1, 1),
            approved_at=when,
        ),
        subject=project_id,
    )
    await deliver(
        client,
        ProjectActivated(
            project_id=project_id,
            organisation_id="org-a",
            dataset_ids=[DATASET],
            occurred_at=when + dt.timedelta(hours=1),
        ),
        subject=project_id,
    )
    for researcher_id in researchers:
        signed = await client.post(
            "/v1/declarations",
            json={"version": "2026.1"},
            headers=tokens.headers("researcher", researcher_id=researcher_id),
        )
        assert signed.status_code in (200, 201), signed.text


async def seed(client: Any, tokens: Any, deliver: Any) -> Seeded:
    await eligible(client, tokens, deliver, ["res-owner"])
    # Researcher B may book for their own project, so only membership can refuse them.
    await eligible(client, tokens, deliver, ["res-intruder"], project_id="prj_intruder")
    response = await client.post(
        "/v1/bookings",
        headers=tokens.headers("researcher", researcher_id="res-owner", org="org-a"),
        json={
            "project_id": PROJECT,
            "site_id": "titchfield",
            "place": "T1",
            "starts_at": "2027-10-27T08:00:00Z",
            "ends_at": "2027-10-27T10:00:00Z",
        },
    )
    assert response.status_code == 201, response.text
    booking_id = response.json()["id"]
    return Seeded(
        params={"site_id": "titchfield", "booking_id": booking_id},
        secrets={booking_id, "res-owner"},
    )
