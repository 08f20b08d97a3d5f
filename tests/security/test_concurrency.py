"""Simultaneous requests racing for one decision: exactly one wins, the rest get 409
naming the state the winner left, and exactly one set of consequences is written (one
accreditation, one outbox event). 50+ requests through asyncio.gather over the ASGI
client, on PostgreSQL and SQLite."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections import Counter
from typing import Any

import pytest
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Column, MetaData, String, Table, func, insert, select

from srs_common.app import ServiceSpec, create_service_app
from srs_common.auth import CurrentPrincipal
from srs_common.config import ServiceSettings
from srs_common.db import Database, SessionDep
from srs_common.events.tables import messaging_tables
from srs_common.idempotency import idempotency_table
from srs_common.testing import (
    asgi_client,
    database_url_for,
    ensure_postgres_database,
    platform_settings,
    truncate_all,
)

from .conftest import example_body, routes
from .tables import booking, clearance, overrides, projects, table_for
from .test_authorization_matrix import SERVICES

RACERS = 50


async def outbox_types(client: Any) -> Counter[str]:
    outbox = client.app.state.spec.messaging.outbox
    async with client.runtime.db.engine.connect() as conn:
        rows = (await conn.execute(select(outbox.c.type))).scalars().all()
    return Counter(rows)


def tally(responses: list[Any]) -> Counter[int]:
    return Counter(r.status_code for r in responses)


async def test_one_panel_decision_on_an_accreditation_application(
    service_client, tokens, deliver, report
):
    async with service_client("accreditation") as client:
        owner = tokens.headers("researcher", researcher_id="res-race", org="org-a")
        await client.post(
            "/v1/researchers",
            headers=owner,
            json={
                "name": "Racer",
                "email": "race@org-a.example",
                "organisation_id": "org-a",
                "qualifications": {"degree": "masters", "degree_quantitative": True},
            },
        )
        trained = (dt.date.today() - dt.timedelta(days=30)).isoformat()
        created = await client.post(
            "/v1/applications",
            headers=owner,
            json={"kind": "full", "training_completed_on": trained},
        )
        application_id = created.json()["id"]
        assert (
            await client.post(f"/v1/applications/{application_id}/submit", headers=owner)
        ).status_code == 200
        before = await outbox_types(client)
        # Half the panel approves, half rejects, all at once.
        responses = await asyncio.gather(
            *[
                client.post(
                    f"/v1/applications/{application_id}/{action}",
                    json={"reason": f"decision {i}"},
                    headers=tokens.headers("panel", sub=f"panel-{i}"),
                )
                for i, action in enumerate(["approve", "reject"] * (RACERS // 2))
            ]
        )
        statuses = tally(responses)
        assert statuses[200] == 1 and statuses[409] == RACERS - 1, statuses
        winner = next(r for r in responses if r.status_code == 200).json()
        for loser in (r for r in responses if r.status_code == 409):
            assert loser.json()["current_state"] == winner["status"]
        written = await outbox_types(client) - before
        assert sum(written.values()) == 1, written
        accreditations = await client.get(
            "/v1/researchers/res-race/accreditations", headers=tokens.headers("support")
        )
        assert len(accreditations.json()) == (1 if winner["status"] == "approved" else 0)
    report(
        f"race accreditation decision: {RACERS} simultaneous approve/reject -> "
        f"{dict(statuses)}, 1 event written"
    )


async def test_one_panel_decision_on_a_project(service_client, tokens, deliver, report):
    async with service_client("projects") as client:
        project_id = await projects.under_review(client, tokens, deliver, lead="res-race")
        before = await outbox_types(client)
        bodies = {
            "approve": {"reason": "clear public benefit"},
            "reject": {"reason": "no public benefit"},
            "request-information": {"reason": "which outputs?"},
        }
        actions = (["approve", "reject", "request-information"] * RACERS)[:RACERS]
        responses = await asyncio.gather(
            *[
                client.post(
                    f"/v1/projects/{project_id}/{action}",
                    json=bodies[action],
                    headers=tokens.headers("panel", sub=f"panel-{i}"),
                )
                for i, action in enumerate(actions)
            ]
        )
        statuses = tally(responses)
        assert statuses[200] == 1 and statuses[409] == RACERS - 1, statuses
        winner = next(r for r in responses if r.status_code == 200).json()
        assert {r.json()["current_state"] for r in responses if r.status_code == 409} == {
            winner["status"]
        }
        written = await outbox_types(client) - before
        assert sum(written.values()) == 1, written
        project = (
            await client.get(f"/v1/projects/{project_id}", headers=tokens.headers("support"))
        ).json()
        assert (
            len(
                [
                    d
                    for d in project["decisions"]
                    if d["action"] in ("approve", "reject", "request_information")
                ]
            )
            == 1
        )
    report(
        f"race project decision: {RACERS} simultaneous approve/reject/request-information "
        f"-> {dict(statuses)}, 1 event written"
    )


# --- one idempotency key -----------------------------------------------------------------

scratch = MetaData()
scratch_messaging = messaging_tables(scratch)
scratch_idempotency = idempotency_table(scratch)
grant = Table(
    "grant_record",
    scratch,
    Column("id", String(40), primary_key=True),
    Column("owner", String(100), nullable=False),
)
grants = APIRouter()


class GrantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str


@grants.post("/v1/grants", status_code=201)
async def create_grant(data: GrantCreate, session: SessionDep, principal: CurrentPrincipal):
    grant_id = f"g_{uuid.uuid4().hex}"
    await asyncio.sleep(0.005)  # hold the race window open while others arrive
    await session.execute(insert(grant).values(id=grant_id, owner=principal.sub))
    return {"id": grant_id, "note": data.note}


async def race_one_key(
    client: Any, path: str, body: Any, headers: dict[str, str]
) -> tuple[Counter[int], bytes]:
    """RACERS simultaneous POSTs with one key: exactly one runs, the rest are told it is
    in progress (409) or get its response replayed byte for byte."""
    keyed = {**headers, "Idempotency-Key": f"race-{uuid.uuid4().hex}"}
    responses = await asyncio.gather(
        *[client.post(path, json=body, headers=keyed) for _ in range(RACERS)]
    )
    statuses = tally(responses)
    replayed = [r for r in responses if r.headers.get("idempotent-replayed") == "true"]
    fresh = [r for r in responses if r.status_code != 409 and r not in replayed]
    assert len(fresh) == 1, f"{len(fresh)} requests ran with one key: {statuses}"
    assert all(r.content == fresh[0].content for r in replayed)
    again = await client.post(path, json=body, headers=keyed)
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.content == fresh[0].content
    return statuses, fresh[0].content


async def test_one_idempotency_key_runs_once_on_a_minimal_service(srs_tmp, tokens, report):
    """No service enables Idempotency-Key yet (ServiceSpec.idempotency): the mechanism
    every service would get is raced on a minimal app over the same database engine."""
    url = database_url_for("security_idempotency", srs_tmp)
    if url.startswith("postgresql"):
        ensure_postgres_database(url, recreate=True)
    db = Database(url, service="grants", messaging=scratch_messaging)
    async with db.engine.begin() as conn:
        await conn.run_sync(scratch.create_all)
    await truncate_all(db, scratch)
    settings = ServiceSettings(
        service_name="grants",
        database_url=url,
        platform=platform_settings(tokens),
        run_relay=False,
        run_consumers=False,
    )
    spec = ServiceSpec(
        name="grants",
        title="grants",
        description="race",
        version="0",
        messaging=scratch_messaging,
        routers=[grants],
        idempotency=scratch_idempotency,
    )
    try:
        async with asgi_client(create_service_app(spec, settings)) as client:
            statuses, _ = await race_one_key(
                client,
                "/v1/grants",
                {"note": "once"},
                tokens.headers("partner", sub="client-race", org="org-a"),
            )
        async with db.engine.connect() as conn:
            rows = (await conn.execute(select(func.count()).select_from(grant))).scalar_one()
    finally:
        await db.dispose()
    assert rows == 1, rows
    enabled = _services_with_idempotency()
    report(
        f"race idempotency key (minimal app): {RACERS} simultaneous POSTs with one key -> "
        f"{dict(statuses)}, {rows} row written; services enabling Idempotency-Key: "
        f"{', '.join(enabled) or 'none'}"
    )


def _services_with_idempotency() -> list[str]:
    return [
        s
        for s in SERVICES
        if __import__(f"srs_{s}.app", fromlist=["spec"]).spec().idempotency is not None
    ]


@pytest.mark.parametrize(
    "service",
    _services_with_idempotency()
    or [pytest.param("none", marks=pytest.mark.skip(reason="no service enables Idempotency-Key"))],
)
async def test_one_idempotency_key_runs_once_on_each_create_route(
    service, service_client, tokens, deliver, report, tmp_path
):
    table = table_for(service)
    async with service_client(service, **overrides(service, tmp_path)) as client:
        await table.seed(client, tokens, deliver)
        openapi = client.app.openapi()
        caller = tokens.headers(
            "researcher",
            "panel",
            "checker",
            "support",
            "ops",
            "partner",
            "data_owner",
            sub="res-owner",
            researcher_id="res-owner",
            org="org-a",
        )
        raced = 0
        for method, path, operation in routes(openapi):
            if method != "POST" or "{" in path:
                continue
            probe = await client.post(path, json=example_body(openapi, operation), headers=caller)
            if probe.status_code not in (200, 201):
                continue  # the example is not acceptable here (a rule); nothing to race
            await race_one_key(client, path, example_body(openapi, operation), caller)
            raced += 1
    report(f"race idempotency key {service}: {raced} create routes raced with one key each")


async def test_one_place_and_hour_in_booking(service_client, tokens, deliver, report):
    researchers = [f"res-{n}" for n in range(RACERS)]
    async with service_client("booking") as client:
        await booking.eligible(client, tokens, deliver, researchers)
        before = await outbox_types(client)
        responses = await asyncio.gather(
            *[
                client.post(
                    "/v1/bookings",
                    headers=tokens.headers("researcher", researcher_id=r),
                    json={
                        "project_id": booking.PROJECT,
                        "site_id": "titchfield",
                        "place": "T3",
                        "starts_at": "2027-10-27T08:00:00Z",
                        "ends_at": "2027-10-27T10:00:00Z",
                    },
                )
                for r in researchers
            ]
        )
        statuses = tally(responses)
        assert statuses[201] == 1 and statuses[409] == RACERS - 1, statuses
        written = await outbox_types(client) - before
        assert written == Counter({"srs.booking.confirmed.v1": 1}), written
    report(
        f"race booking slot: {RACERS} researchers for one place and hour -> "
        f"{dict(statuses)}, 1 booking confirmed"
    )


async def test_one_clearance_decision(service_client, tokens, deliver, tmp_path, report):
    async with service_client("clearance", **overrides("clearance", tmp_path)) as client:
        await clearance.active_project(client, deliver)
        output_id, _, _ = await clearance.submitted(client, tokens)
        # Sixty checkers take the same request into review at once: one reviews it.
        taken = await asyncio.gather(
            *[
                client.post(
                    f"/v1/outputs/{output_id}/review",
                    headers=tokens.headers("checker", sub=f"chk-{i}"),
                )
                for i in range(RACERS)
            ]
        )
        assert tally(taken)[200] == 1 and tally(taken)[409] == RACERS - 1, tally(taken)
        winner = next(i for i, r in enumerate(taken) if r.status_code == 200)
        checker = tokens.headers("checker", sub=f"chk-{winner}")
        for reviewer in (checker, tokens.headers("checker", sub="chk-second")):
            vote = await client.post(
                f"/v1/outputs/{output_id}/votes",
                headers=reviewer,
                json={"vote": "approve", "reason": "safe"},
            )
            assert vote.status_code == 201, vote.text  # every independent review is in
        before = await outbox_types(client)
        responses = await asyncio.gather(
            *[
                client.post(
                    f"/v1/outputs/{output_id}/decision",
                    headers=checker,
                    json={"decision": decision, "reason": f"decision {i}"},
                )
                for i, decision in enumerate(["approve", "reject"] * (RACERS // 2))
            ]
        )
        statuses = tally(responses)
        assert statuses[200] == 1 and statuses[409] == RACERS - 1, statuses
        written = await outbox_types(client) - before
        assert sum(written.values()) == 1, written
    report(
        f"race clearance: {RACERS} checkers taking one request -> {dict(tally(taken))}; "
        f"{RACERS} approve/reject decisions -> {dict(statuses)}, 1 event written"
    )
