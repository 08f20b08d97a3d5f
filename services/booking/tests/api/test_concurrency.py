"""Exclusivity is decided by the database: of many simultaneous attempts exactly one wins."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import func, select

from srs_booking.models import BookedSlot
from srs_common.contracts.accreditation import AccreditationGranted
from srs_common.contracts.projects import ProjectApproved, ProjectMember

ATTEMPTS = 50


async def test_fifty_researchers_racing_for_one_place_and_hour_exactly_one_wins(
    client, eligible, deliver, tokens, book, events
):
    await eligible(client, "res-0")
    researchers = [f"res-{n}" for n in range(ATTEMPTS)]
    await deliver(
        client,
        ProjectApproved(
            project_id="prj_burglary",
            title="Burglary",
            organisation_id="org-ntu",
            legal_gateway="DEA",
            dataset_ids=["ds-csew-2019"],
            members=[ProjectMember(researcher_id=r, role="researcher") for r in researchers],
            expected_end_date=dt.date(2029, 1, 1),
            approved_at=client.clock.now - dt.timedelta(days=30),
        ),
        subject="prj_burglary",
    )
    await asyncio.gather(
        *(
            deliver(
                client,
                AccreditationGranted(
                    accreditation_id=f"acc-{r}",
                    researcher_id=r,
                    organisation_id="org-ntu",
                    kind="full",
                    status="current",
                    valid_from=dt.date(2026, 1, 1),
                    valid_until=dt.date(2029, 1, 1),
                    occurred_at=client.clock.now,
                ),
                subject=r,
            )
            for r in researchers
        )
    )
    headers = [tokens.headers("researcher", researcher_id=r) for r in researchers]
    signed = await asyncio.gather(
        *(client.post("/v1/declarations", json={"version": "2026.1"}, headers=h) for h in headers)
    )
    assert {r.status_code for r in signed} <= {200, 201}

    responses = await asyncio.gather(
        *(
            book(client, h, "2027-10-27T08:00:00Z", "2027-10-27T10:00:00Z", place="T4")
            for h in headers
        )
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (ATTEMPTS - 1), statuses
    losers = [r for r in responses if r.status_code == 409]
    assert all(r.headers["content-type"] == "application/problem+json" for r in losers)
    assert {r.json()["conflict"] for r in losers} == {"place_taken"}
    async with client.runtime.db.engine.connect() as conn:
        slots = await conn.scalar(select(func.count()).select_from(BookedSlot))
    assert slots == 2
    confirmed = [t for t, _ in await events(client) if t == "srs.booking.confirmed.v1"]
    assert len(confirmed) == 1


async def test_one_researcher_racing_for_many_places_gets_exactly_one(client, eligible, book):
    alice = await eligible(client, "res-alice")
    responses = await asyncio.gather(
        *(
            book(client, alice, "2027-10-27T08:00:00Z", "2027-10-27T09:00:00Z", place=f"T{n}")
            for n in range(1, 9)
        ),
        *(
            book(
                client,
                alice,
                "2027-10-27T08:00:00Z",
                "2027-10-27T09:00:00Z",
                site_id="newport",
                place=f"T{n}",
            )
            for n in range(1, 7)
        ),
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 13, statuses
    assert {r.json()["conflict"] for r in responses if r.status_code == 409} == {
        "researcher_overlap"
    }


async def test_the_database_itself_refuses_a_second_holder_of_a_place_or_an_hour(client):
    """Independent of the service's friendly pre-check: the constraints are the guard."""
    import pytest
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    from srs_booking.models import Booking

    hour = dt.datetime(2027, 10, 27, 8, tzinfo=dt.UTC)
    booking = {
        "site_id": "titchfield",
        "project_id": "prj_1",
        "place": "T1",
        "starts_at": hour,
        "ends_at": hour + dt.timedelta(hours=1),
        "status": "confirmed",
        "created_at": hour,
    }
    slot = {"site_id": "titchfield", "place": "T1", "slot_start": hour}
    async with client.runtime.db.transaction() as session:
        for n in (1, 2):
            await session.execute(
                insert(Booking).values(id=f"bkg_{n}", researcher_id=f"res-{n}", **booking)
            )
        await session.execute(
            insert(BookedSlot).values(booking_id="bkg_1", researcher_id="res-1", **slot)
        )
    for clash in (
        {"booking_id": "bkg_2", "researcher_id": "res-2", **slot},
        {
            "booking_id": "bkg_2",
            "researcher_id": "res-1",
            "site_id": "newport",
            "place": "T1",
            "slot_start": hour,
        },
    ):
        with pytest.raises(IntegrityError):
            async with client.runtime.db.transaction() as session:
                await session.execute(insert(BookedSlot).values(**clash))
