"""Data and code ingestion requests."""

from __future__ import annotations

import pytest

ALICE = {"researcher_id": "res-alice"}
CODE = {
    "project_id": "prj-1",
    "kind": "code",
    "description": "Stata do-files I wrote",
    "source": "sftp upload ref 2026-11-25-alice-01",
}


@pytest.fixture
async def project(world):
    await world.ready_project()


async def test_request_then_support_approves_once(client, tokens, world, project):
    created = await client.post(
        "/v1/ingestion-requests", json=CODE, headers=tokens.headers("researcher", **ALICE)
    )
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    assert created.json()["status"] == "pending"
    approved = await client.post(
        f"/v1/ingestion-requests/{rid}/approval",
        json={"reason": "own code"},
        headers=tokens.headers("support", sub="staff-1"),
    )
    assert approved.json()["status"] == "approved"
    assert approved.json()["decided_by"] == "staff-1"
    again = await client.post(
        f"/v1/ingestion-requests/{rid}/rejection", json={}, headers=tokens.headers("support")
    )
    assert again.status_code == 409 and again.json()["current_state"] == "approved"
    audit = await client.get("/v1/audit", headers=tokens.headers("ops"))
    assert audit.json()["items"][-1]["action"] == "ingestion_decision"


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("https://github.com/tidyverse/dplyr", "GitHub"),
        ("https://cran.r-project.org/web/packages/fixest", "CRAN"),
        ("pypi:linearmodels", "PyPI"),
    ],
)
async def test_public_package_repositories_are_refused_with_that_reason(
    client, tokens, project, source, name
):
    refused = await client.post(
        "/v1/ingestion-requests",
        json={**CODE, "source": source},
        headers=tokens.headers("researcher", **ALICE),
    )
    assert refused.status_code == 422
    body = refused.json()
    assert body["rule"] == "public_package_repository" and body["repository"] == name
    assert "open source code repositories" in body["detail"]
    listed = await client.get("/v1/ingestion-requests", headers=tokens.headers("support"))
    assert listed.json() == []


async def test_who_may_ask_see_and_decide(client, tokens, world, project):
    bob = tokens.headers("researcher", researcher_id="res-bob")
    assert (await client.post("/v1/ingestion-requests", json=CODE, headers=bob)).status_code == 404
    assert (
        await client.post("/v1/ingestion-requests", json=CODE, headers=tokens.headers("support"))
    ).status_code == 403
    rid = (
        await client.post(
            "/v1/ingestion-requests", json=CODE, headers=tokens.headers("researcher", **ALICE)
        )
    ).json()["id"]
    assert (await client.get(f"/v1/ingestion-requests/{rid}", headers=bob)).status_code == 404
    assert (await client.get("/v1/ingestion-requests", headers=bob)).json() == []
    assert (
        await client.post(
            f"/v1/ingestion-requests/{rid}/approval",
            json={},
            headers=tokens.headers("researcher", **ALICE),
        )
    ).status_code == 403
    mine = await client.get(
        "/v1/ingestion-requests?status=pending", headers=tokens.headers("researcher", **ALICE)
    )
    assert [r["id"] for r in mine.json()] == [rid]
    bad = await client.post(
        "/v1/ingestion-requests",
        json={**CODE, "kind": "binary"},
        headers=tokens.headers("researcher", **ALICE),
    )
    assert bad.status_code == 422
