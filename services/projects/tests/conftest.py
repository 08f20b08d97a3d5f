from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from srs_common.contracts.access import ProjectSpaceProvisioned
from srs_common.contracts.accreditation import AccreditationGranted
from srs_projects.models import messaging

TODAY = dt.datetime.now(dt.UTC).date()

APPLICATION: dict[str, Any] = {
    "title": "Burglary security effectiveness",
    "lay_summary": "Which home security measures protect against burglary.",
    "public_benefit": "Evidence for crime prevention advice.",
    "organisation_id": "org-ntu",
    "legal_gateway": "DEA",
    "dataset_ids": ["ds-csew-2019"],
    "expected_start_date": str(TODAY + dt.timedelta(days=30)),
    "expected_end_date": str(TODAY + dt.timedelta(days=400)),
    "ethics_confirmed": True,
    "data_source_acknowledged": True,
}


class Projects:
    """Drives the projects service the way its users and the other services do."""

    def __init__(self, client: httpx.AsyncClient, tokens: Any, deliver: Any) -> None:
        self.client = client
        self.tokens = tokens
        self.deliver = deliver
        self.panel = tokens.headers("panel", sub="panel-1")
        self.support = tokens.headers("support", sub="support-1")

    def researcher(self, researcher_id: str) -> dict[str, str]:
        return self.tokens.headers("researcher", researcher_id=researcher_id)

    async def accredit(
        self,
        researcher_id: str,
        *,
        kind: str = "full",
        status: str = "current",
        contract: type = AccreditationGranted,
        valid_until: dt.date | None = None,
        occurred_at: dt.datetime | None = None,
        accreditation_id: str | None = None,
        organisation_id: str = "org-ntu",
        **extra: Any,
    ) -> bool:
        payload = contract(
            accreditation_id=accreditation_id or f"acc-{researcher_id}",
            researcher_id=researcher_id,
            organisation_id=organisation_id,
            kind=kind,
            status=status,
            valid_from=TODAY - dt.timedelta(days=10),
            valid_until=valid_until or TODAY + dt.timedelta(days=1000),
            occurred_at=occurred_at or dt.datetime.now(dt.UTC),
            **extra,
        )
        return await self.deliver(
            self.client, payload, subject=researcher_id, source="/srs/accreditation"
        )

    async def draft(self, lead: str = "res-alice", **overrides: Any) -> str:
        response = await self.client.post(
            "/v1/projects", json={**APPLICATION, **overrides}, headers=self.researcher(lead)
        )
        assert response.status_code == 201, response.text
        return response.json()["id"]

    async def submitted(self, lead: str = "res-alice", **overrides: Any) -> str:
        project_id = await self.draft(lead, **overrides)
        response = await self.client.post(
            f"/v1/projects/{project_id}/submit", headers=self.researcher(lead)
        )
        assert response.status_code == 200, response.text
        return project_id

    async def under_review(self, lead: str = "res-alice", **overrides: Any) -> str:
        project_id = await self.submitted(lead, **overrides)
        response = await self.client.post(f"/v1/projects/{project_id}/review", headers=self.panel)
        assert response.status_code == 200, response.text
        return project_id

    async def approved(self, lead: str = "res-alice", **overrides: Any) -> str:
        project_id = await self.under_review(lead, **overrides)
        response = await self.client.post(
            f"/v1/projects/{project_id}/approve",
            json={"reason": "clear public benefit"},
            headers=self.panel,
        )
        assert response.status_code == 200, response.text
        return project_id

    async def active(self, lead: str = "res-alice", **overrides: Any) -> str:
        project_id = await self.approved(lead, **overrides)
        await self.deliver(
            self.client,
            ProjectSpaceProvisioned(
                project_id=project_id,
                space_id=f"spc-{project_id}",
                dataset_ids=["ds-csew-2019"],
                accounts_enabled=[lead],
                provisioned_at=dt.datetime.now(dt.UTC),
            ),
            subject=project_id,
            source="/srs/access",
        )
        return project_id

    async def join(
        self,
        project_id: str,
        researcher_id: str,
        role: str = "researcher",
        lead: str = "res-alice",
        **extra: Any,
    ) -> dict:
        """The lead names a member; on an approved project, support approves the request.
        Returns the approval (or the member added at once)."""
        response = await self.client.post(
            f"/v1/projects/{project_id}/members",
            headers=self.researcher(lead),
            json={"researcher_id": researcher_id, "role": role, **extra},
        )
        if response.status_code == 201:
            return response.json()
        assert response.status_code == 202, response.text
        approved = await self.client.post(
            f"/v1/projects/{project_id}/member-requests/{response.json()['id']}/approve",
            headers=self.support,
        )
        assert approved.status_code == 200, approved.text
        return approved.json()

    async def get(self, project_id: str, headers: dict[str, str] | None = None) -> dict:
        response = await self.client.get(
            f"/v1/projects/{project_id}", headers=headers or self.support
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def events(self, event_type: str | None = None) -> list[dict]:
        """Payloads written to the outbox, oldest first (with ``_type`` and ``_key``)."""
        async with self.client.runtime.db.engine.connect() as conn:  # type: ignore[attr-defined]
            rows = (
                await conn.execute(select(messaging.outbox).order_by(messaging.outbox.c.id))
            ).all()
        return [
            {**json.loads(r.payload), "_type": r.type, "_key": r.key}
            for r in rows
            if event_type is None or r.type == event_type
        ]


@pytest.fixture
async def client(service_client) -> AsyncIterator[httpx.AsyncClient]:
    async with service_client("projects") as c:
        yield c


@pytest.fixture
async def projects(client, tokens, deliver) -> Projects:
    driver = Projects(client, tokens, deliver)
    await driver.accredit("res-alice")
    return driver


@pytest.fixture
def application() -> dict[str, Any]:
    """A complete application body (a fresh copy per test)."""
    return json.loads(json.dumps(APPLICATION))
