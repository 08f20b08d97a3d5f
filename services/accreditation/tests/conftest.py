from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from srs_accreditation.models import messaging
from srs_common.contracts import contract_for
from srs_common.testing import Tokens

TRAINED_ON = (dt.date.today() - dt.timedelta(days=30)).isoformat()
QUANTITATIVE = {"degree": "masters", "degree_quantitative": True, "quantitative_research_years": 0}


@pytest.fixture
async def client(service_client) -> AsyncIterator[httpx.AsyncClient]:
    async with service_client("accreditation") as c:
        yield c


async def published(
    client: httpx.AsyncClient, event_type: str | None = None
) -> list[dict[str, Any]]:
    """Outbox events (each payload validated against its contract), oldest first."""
    async with client.runtime.db.engine.connect() as conn:  # type: ignore[attr-defined]
        rows = (await conn.execute(select(messaging.outbox).order_by(messaging.outbox.c.id))).all()
    events = []
    for row in rows:
        contract = contract_for(row.type)
        assert contract is not None, row.type
        contract.model_validate_json(row.payload)
        if event_type is None or row.type == event_type:
            events.append({"type": row.type, "key": row.key, **json.loads(row.payload)})
    return events


@dataclass
class Flow:
    """Drives the API the way users do, asserting each step succeeded."""

    client: httpx.AsyncClient
    tokens: Tokens

    def researcher(self, rid: str, org: str = "org-ntu") -> dict[str, str]:
        return self.tokens.headers("researcher", researcher_id=rid, org=org)

    @property
    def panel(self) -> dict[str, str]:
        return self.tokens.headers("panel", sub="panel-1")

    @property
    def support(self) -> dict[str, str]:
        return self.tokens.headers("support", sub="support-1")

    def partner(self, org: str) -> dict[str, str]:
        return self.tokens.headers(
            "partner", sub=f"client-{org}", org=org, scope="researchers:read applications:read"
        )

    async def register(
        self,
        rid: str,
        *,
        name: str | None = None,
        org: str = "org-ntu",
        qualifications: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        body = {
            "name": name or f"Researcher {rid}",
            "email": f"{rid}@{org}.example",
            "organisation_id": org,
            "qualifications": qualifications or QUANTITATIVE,
        }
        response = await self.client.post(
            "/v1/researchers", json=body, headers=self.researcher(rid, org)
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def draft(self, rid: str, kind: str = "full", **fields: Any) -> dict[str, Any]:
        body = {"kind": kind, "training_completed_on": TRAINED_ON, **fields}
        response = await self.client.post(
            "/v1/applications", json=body, headers=self.researcher(rid)
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def submit(self, rid: str, application_id: str) -> httpx.Response:
        return await self.client.post(
            f"/v1/applications/{application_id}/submit", headers=self.researcher(rid)
        )

    async def submitted(self, rid: str, kind: str = "full", **fields: Any) -> dict[str, Any]:
        application = await self.draft(rid, kind, **fields)
        response = await self.submit(rid, application["id"])
        assert response.status_code == 200, response.text
        return response.json()

    async def approve(self, application_id: str, conditions: str | None = None) -> httpx.Response:
        return await self.client.post(
            f"/v1/applications/{application_id}/approve",
            json={"reason": "meets the criteria", "conditions": conditions},
            headers=self.panel,
        )

    async def accredit(
        self,
        rid: str,
        kind: str = "full",
        *,
        register: bool = True,
        org: str = "org-ntu",
        **fields: Any,
    ) -> dict[str, Any]:
        """Register (optionally), apply, submit and approve: the accreditation."""
        if register:
            await self.register(rid, org=org)
        application = await self.submitted(rid, kind, **fields)
        approved = await self.approve(application["id"])
        assert approved.status_code == 200, approved.text
        accreditation = await self.client.get(
            f"/v1/accreditations/{approved.json()['accreditation_id']}", headers=self.support
        )
        assert accreditation.status_code == 200, accreditation.text
        return accreditation.json()


@pytest.fixture
def flow(client, tokens) -> Flow:
    return Flow(client, tokens)


@pytest.fixture
def events(client):
    """``await events("srs.accreditation.granted.v1")``: published payloads of that type."""

    async def read(event_type: str | None = None) -> list[dict[str, Any]]:
        return await published(client, event_type)

    return read


@pytest.fixture
def flow_factory(tokens):
    """``flow_factory(client)``: a :class:`Flow` over another client of the service."""
    return lambda other: Flow(other, tokens)
