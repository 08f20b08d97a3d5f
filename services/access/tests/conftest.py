"""Fixtures of the access service's tests: a client on a real database, and a small
vocabulary to feed it the events other services publish."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from srs_access.models import Organisation, messaging
from srs_access.seed import seed_catalogue
from srs_common.contracts import accreditation as acc
from srs_common.contracts import booking as bkg
from srs_common.contracts import projects as prj


@pytest.fixture
async def client(service_client) -> AsyncIterator[httpx.AsyncClient]:
    async with service_client("access") as c:
        yield c


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class World:
    """Feeds ``client`` the events of the projects, accreditation and booking services."""

    client: httpx.AsyncClient
    deliver: Callable[..., Any]

    async def send(self, payload: Any, subject: str) -> bool:
        return await self.deliver(self.client, payload, subject=subject)

    async def seed(self) -> None:
        async with self.client.runtime.db.transaction() as session:
            await seed_catalogue(session)

    async def organisation(
        self, org_id: str, *, until: dt.date | None, legacy: bool = False
    ) -> None:
        async with self.client.runtime.db.transaction() as session:
            session.add(
                Organisation(
                    id=org_id, name=org_id, aoc_certified_until=until, legacy_remote_access=legacy
                )
            )

    async def register(
        self,
        researcher_id: str,
        organisation_id: str = "org-ntu",
        *,
        contract: type = acc.ResearcherRegistered,
        at: dt.datetime | None = None,
        name: str | None = None,
    ) -> None:
        """The researcher's record (and so their organisation) as accreditation keeps it."""
        await self.send(
            contract(
                researcher_id=researcher_id,
                name=name or researcher_id,
                email=f"{researcher_id}@example.org",
                organisation_id=organisation_id,
                occurred_at=at or now(),
            ),
            researcher_id,
        )

    async def accredit(
        self,
        researcher_id: str,
        *,
        status: str = "current",
        contract: type = acc.AccreditationGranted,
        at: dt.datetime | None = None,
        valid_until: dt.date | None = None,
        accreditation_id: str | None = None,
        kind: str = "full",
    ) -> None:
        await self.send(
            contract(
                accreditation_id=accreditation_id or f"acc-{researcher_id}",
                researcher_id=researcher_id,
                organisation_id="org-ntu",
                kind=kind,
                status=status,
                valid_from=dt.date(2026, 1, 1),
                valid_until=valid_until or (now().date() + dt.timedelta(days=365)),
                occurred_at=at or now(),
            ),
            researcher_id,
        )

    def approved(
        self,
        project_id: str,
        members: list[tuple[str, str]],
        datasets: list[str] | None = None,
        at: dt.datetime | None = None,
    ) -> prj.ProjectApproved:
        return prj.ProjectApproved(
            project_id=project_id,
            title="Burglary security",
            organisation_id="org-ntu",
            legal_gateway="DEA",
            dataset_ids=datasets or ["ds-csew-2019"],
            members=[prj.ProjectMember(researcher_id=r, role=role) for r, role in members],
            expected_end_date=dt.date(2027, 6, 30),
            approved_at=at or now(),
        )

    async def approve(
        self,
        project_id: str,
        members: list[tuple[str, str]],
        datasets: list[str] | None = None,
        at: dt.datetime | None = None,
    ) -> None:
        await self.send(self.approved(project_id, members, datasets, at), project_id)

    async def activate(self, project_id: str, datasets: list[str] | None = None) -> None:
        await self.send(
            prj.ProjectActivated(
                project_id=project_id,
                organisation_id="org-ntu",
                dataset_ids=datasets or ["ds-csew-2019"],
                occurred_at=now(),
            ),
            project_id,
        )

    async def member(
        self,
        contract: type,
        project_id: str,
        researcher_id: str,
        role: str = "researcher",
        at: dt.datetime | None = None,
    ) -> None:
        await self.send(
            contract(
                project_id=project_id,
                organisation_id="org-ntu",
                researcher_id=researcher_id,
                role=role,
                occurred_at=at or now(),
            ),
            project_id,
        )

    async def book(
        self,
        booking_id: str,
        researcher_id: str,
        project_id: str,
        *,
        site: str = "titchfield",
        starts: dt.datetime | None = None,
        hours: float = 4,
        contract: type = bkg.BookingConfirmed,
    ) -> None:
        start = starts or now() - dt.timedelta(hours=1)
        await self.send(
            contract(
                booking_id=booking_id,
                researcher_id=researcher_id,
                project_id=project_id,
                site_id=site,
                place="T3",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=hours),
                occurred_at=now(),
                **(
                    {"reason": "r", "cancelled_by": researcher_id}
                    if contract is bkg.BookingCancelled
                    else {}
                ),
            ),
            booking_id,
        )

    async def ready_project(
        self,
        project_id: str = "prj-1",
        researcher_id: str = "res-alice",
        datasets: list[str] | None = None,
    ) -> None:
        """Seeded catalogue, accredited researcher, approved and active project."""
        await self.seed()
        await self.register(researcher_id)
        await self.accredit(researcher_id)
        await self.approve(project_id, [(researcher_id, "lead")], datasets)
        await self.activate(project_id, datasets)

    async def outbox(self, event_type: str | None = None) -> list[tuple[str, dict]]:
        async with self.client.runtime.db.engine.connect() as conn:
            rows = (
                await conn.execute(select(messaging.outbox).order_by(messaging.outbox.c.id))
            ).all()
        return [
            (r.type, json.loads(r.payload))
            for r in rows
            if event_type is None or r.type == event_type
        ]


@pytest.fixture
def world(client, deliver) -> World:
    return World(client, deliver)
