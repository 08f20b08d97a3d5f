"""Clearance test helpers: a client with a files directory and an injected clock, and the
read models (projects, members, datasets) built by delivering the real events."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from srs_clearance.models import messaging
from srs_common.contracts import access, projects

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)  # a Wednesday
PROJECT = "prj_a"
OTHER_PROJECT = "prj_b"
ORG = "org-ntu"
FREQUENCY_CSV = b"region,year,count\nNorth,2021,120\nSouth,2021,40\n"
FAILING_CSV = b"region,year,count\nNorth,2021,12\nSouth,2021,3\n"


@dataclass
class Clock:
    now: dt.datetime = NOW

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@dataclass
class World:
    """A clearance service with two active projects and people on them."""

    client: httpx.AsyncClient
    clock: Clock
    tokens: Any
    deliver: Any
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def as_(self, who: str) -> dict[str, str]:
        return self.headers[who]

    async def events(self, event_type: str | None = None) -> list[dict[str, Any]]:
        async with self.client.runtime.db.engine.connect() as conn:  # type: ignore[attr-defined]
            rows = (
                await conn.execute(select(messaging.outbox).order_by(messaging.outbox.c.id))
            ).all()
        return [
            {"type": r.type, "subject": r.subject, **json.loads(r.payload)}
            for r in rows
            if event_type is None or r.type == event_type
        ]

    async def draft(
        self,
        who: str = "alice",
        *,
        kind: str = "pre_publication",
        files: list[tuple[str, bytes]] | None = None,
        project_id: str = PROJECT,
        **extra: Any,
    ) -> str:
        created = await self.client.post(
            "/v1/outputs",
            headers=self.as_(who),
            json={"project_id": project_id, "kind": kind, "title": "Burglary by region", **extra},
        )
        assert created.status_code == 201, created.text
        output_id = created.json()["id"]
        group = await self.client.post(
            f"/v1/outputs/{output_id}/groups",
            headers=self.as_(who),
            json={
                "name": "Table 1",
                "context": "Burglary victims by region and year",
                "controls": "none needed: all counts above 10",
            },
        )
        assert group.status_code == 201, group.text
        for name, data in files if files is not None else [("table1.csv", FREQUENCY_CSV)]:
            up = await self.upload(output_id, group.json()["id"], name, data, who=who)
            assert up.status_code == 201, up.text
        return output_id

    async def upload(
        self, output_id: str, group_id: str, name: str, data: bytes, who: str = "alice"
    ) -> httpx.Response:
        return await self.client.post(
            f"/v1/outputs/{output_id}/groups/{group_id}/files",
            headers=self.as_(who),
            files={"file": (name, data)},
        )

    async def submitted(self, who: str = "alice", **kwargs: Any) -> str:
        output_id = await self.draft(who, **kwargs)
        response = await self.client.post(f"/v1/outputs/{output_id}/submit", headers=self.as_(who))
        assert response.status_code == 200, response.text
        return output_id

    async def in_review(self, who: str = "alice", checker: str = "checker1", **kwargs: Any) -> str:
        output_id = await self.submitted(who, **kwargs)
        response = await self.client.post(
            f"/v1/outputs/{output_id}/review", headers=self.as_(checker)
        )
        assert response.status_code == 200, response.text
        return output_id

    async def vote(
        self,
        output_id: str,
        checker: str,
        vote: str = "approve",
        reason: str = "safe: every count at or above 10",
    ) -> httpx.Response:
        return await self.client.post(
            f"/v1/outputs/{output_id}/votes",
            headers=self.as_(checker),
            json={"vote": vote, "reason": reason},
        )

    async def reviewed(self, output_id: str, *votes: tuple[str, str]) -> None:
        """Every independent review in: by default two checkers approve."""
        for checker, vote in votes or (("checker1", "approve"), ("checker2", "approve")):
            response = await self.vote(output_id, checker, vote)
            assert response.status_code == 201, response.text

    async def approved(self, who: str = "alice", **kwargs: Any) -> str:
        output_id = await self.in_review(who, **kwargs)
        await self.reviewed(output_id)
        response = await self.client.post(
            f"/v1/outputs/{output_id}/decision",
            headers=self.as_("checker1"),
            json={"decision": "approve", "reason": "safe"},
        )
        assert response.status_code == 200, response.text
        return output_id


async def seed_project(
    deliver: Any,
    client: httpx.AsyncClient,
    project_id: str,
    members: list[tuple[str, str]],
    *,
    priority: bool = False,
    organisation_id: str = ORG,
    dataset_ids: list[str] | None = None,
) -> None:
    datasets = dataset_ids or ["ds-csew-2019"]
    await deliver(
        client,
        projects.ProjectApproved(
            project_id=project_id,
            title="A project",
            organisation_id=organisation_id,
            legal_gateway="DEA",
            dataset_ids=datasets,
            members=[projects.ProjectMember(researcher_id=r, role=role) for r, role in members],
            expected_end_date=dt.date(2027, 6, 30),
            priority=priority,
            approved_at=NOW,
        ),
        subject=project_id,
    )
    await deliver(
        client,
        projects.ProjectActivated(
            project_id=project_id,
            organisation_id=organisation_id,
            dataset_ids=datasets,
            occurred_at=NOW,
        ),
        subject=project_id,
    )


@pytest.fixture(scope="session")
def people(tokens) -> dict[str, dict[str, str]]:
    """Signed once per session: RS256 signing is the slowest part of a test's setup."""
    return {
        "alice": tokens.headers("researcher", researcher_id="res-alice"),
        "bob": tokens.headers("researcher", researcher_id="res-bob"),
        "pat": tokens.headers("researcher", researcher_id="res-pat"),
        "eve": tokens.headers("researcher", researcher_id="res-eve"),
        "checker1": tokens.headers("checker", sub="chk-1"),
        "checker2": tokens.headers("checker", sub="chk-2"),
        "partner": tokens.headers("partner", sub="client-ntu", org=ORG, scope="outputs:read"),
        "other_partner": tokens.headers(
            "partner", sub="client-x", org="org-other", scope="outputs:read"
        ),
        "support": tokens.headers("support", sub="sup-1"),
    }


@pytest.fixture
async def world(service_client, tokens, deliver, tmp_path, people) -> AsyncIterator[World]:
    async with service_client("clearance", outputs_dir=tmp_path / "outputs") as client:
        clock = Clock()
        client.app.state.clock = clock  # type: ignore[attr-defined]
        await deliver(
            client,
            access.DatasetCatalogued(
                dataset_id="ds-csew-2019",
                title="CSEW",
                owner="ONS",
                access_level="home",
                disclosure_threshold=10,
                occurred_at=NOW,
            ),
            subject="ds-csew-2019",
        )
        await seed_project(
            deliver,
            client,
            PROJECT,
            [
                ("res-alice", "lead"),
                ("res-bob", "researcher"),
                ("res-pat", "peer_reviewer_outputs"),
            ],
        )
        await seed_project(
            deliver, client, OTHER_PROJECT, [("res-eve", "lead")], organisation_id="org-other"
        )
        w = World(client=client, clock=clock, tokens=tokens, deliver=deliver)
        w.headers = dict(people)
        yield w
