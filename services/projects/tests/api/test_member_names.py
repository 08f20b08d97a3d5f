"""A project's members are shown with the names on their researcher records."""

from __future__ import annotations

import datetime as dt

from srs_common.contracts.accreditation import ResearcherRegistered, ResearcherUpdated


async def _record(projects, contract, researcher_id: str, name: str, when: dt.datetime) -> None:
    await projects.deliver(
        projects.client,
        contract(
            researcher_id=researcher_id,
            name=name,
            email=f"{researcher_id}@example.ac.uk",
            organisation_id="org-ntu",
            occurred_at=when,
        ),
        subject=researcher_id,
        source="/srs/accreditation",
    )


async def test_members_carry_the_name_on_their_researcher_record(projects, client):
    now = dt.datetime.now(dt.UTC)
    await projects.accredit("res-alice")
    await projects.accredit("res-bob")
    project_id = await projects.draft()
    added = await client.post(
        f"/v1/projects/{project_id}/members",
        headers=projects.researcher("res-alice"),
        json={"researcher_id": "res-bob", "role": "researcher"},
    )
    assert added.status_code == 201, added.text
    read = await client.get(f"/v1/projects/{project_id}", headers=projects.researcher("res-alice"))
    assert {m["researcher_id"]: m["name"] for m in read.json()["members"]} == {
        "res-alice": None,
        "res-bob": None,
    }
    await _record(projects, ResearcherRegistered, "res-alice", "Alice Example", now)
    await _record(projects, ResearcherRegistered, "res-bob", "Bob Example", now)
    await _record(projects, ResearcherUpdated, "res-bob", "Robert Example", now)
    read = await client.get(f"/v1/projects/{project_id}", headers=projects.researcher("res-bob"))
    assert {m["researcher_id"]: m["name"] for m in read.json()["members"]} == {
        "res-alice": "Alice Example",
        "res-bob": "Robert Example",
    }
