"""The slice of the projects API the first cross-service flow needs."""

from __future__ import annotations

import json

from sqlalchemy import select

from srs_projects.models import messaging

NEW_PROJECT = {
    "title": "Burglary security effectiveness",
    "organisation_id": "org-ntu",
    "legal_gateway": "DEA",
    "dataset_ids": ["ds-csew-2019"],
    "expected_end_date": "2027-06-30",
}


async def test_panel_approval_writes_one_project_approved_event(client, tokens):
    alice = tokens.headers("researcher", researcher_id="res-alice")
    created = await client.post("/v1/projects", json=NEW_PROJECT, headers=alice)
    assert created.status_code == 201, created.text
    project_id = created.json()["id"]
    assert (await client.post(f"/v1/projects/{project_id}/submit", headers=alice)).status_code == 200

    approved = await client.post(f"/v1/projects/{project_id}/approve",
                                 json={"reason": "clear public benefit"},
                                 headers=tokens.headers("panel", sub="panel-1"))
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"

    async with client.runtime.db.engine.connect() as conn:
        rows = (await conn.execute(select(messaging.outbox))).all()
    assert [r.type for r in rows] == ["srs.project.approved.v1"]
    payload = json.loads(rows[0].payload)
    assert payload["members"] == [{"researcher_id": "res-alice", "role": "lead"}]
    assert rows[0].key == project_id


async def test_second_decision_is_409_naming_the_state(client, tokens):
    alice = tokens.headers("researcher", researcher_id="res-alice")
    project_id = (await client.post("/v1/projects", json=NEW_PROJECT, headers=alice)).json()["id"]
    await client.post(f"/v1/projects/{project_id}/submit", headers=alice)
    panel = tokens.headers("panel")
    await client.post(f"/v1/projects/{project_id}/approve", json={"reason": "ok, approved"},
                      headers=panel)
    again = await client.post(f"/v1/projects/{project_id}/approve", json={"reason": "again!"},
                              headers=panel)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["current_state"] == "approved"


async def test_other_researcher_gets_404_and_bad_input_422(client, tokens):
    alice = tokens.headers("researcher", researcher_id="res-alice")
    project_id = (await client.post("/v1/projects", json=NEW_PROJECT, headers=alice)).json()["id"]
    bob = tokens.headers("researcher", researcher_id="res-bob")
    assert (await client.get(f"/v1/projects/{project_id}", headers=bob)).status_code == 404
    bad = await client.post("/v1/projects", json={**NEW_PROJECT, "legal_gateway": "GDPR",
                                                   "surprise": 1}, headers=alice)
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert {"body.legal_gateway", "body.surprise"} <= fields


async def test_space_provisioned_activates_once_even_when_redelivered(client, tokens, deliver):
    import datetime as dt

    from srs_common.contracts import ProjectSpaceProvisioned
    from srs_common.testing import event_from

    alice = tokens.headers("researcher", researcher_id="res-alice")
    project_id = (await client.post("/v1/projects", json=NEW_PROJECT, headers=alice)).json()["id"]
    await client.post(f"/v1/projects/{project_id}/submit", headers=alice)
    await client.post(f"/v1/projects/{project_id}/approve", json={"reason": "fine work"},
                      headers=tokens.headers("panel"))
    event = event_from(ProjectSpaceProvisioned(
        project_id=project_id, space_id="spc_1", dataset_ids=["ds-csew-2019"],
        accounts_enabled=["res-alice"], provisioned_at=dt.datetime.now(dt.UTC)),
        subject=project_id, source="/srs/access")
    assert await deliver(client, event=event) is True
    assert await deliver(client, event=event) is False
    project = (await client.get(f"/v1/projects/{project_id}", headers=alice)).json()
    assert project["status"] == "active"
