"""A project's organisation is its lead's, never what the request body says; partners
see only projects truly of their organisation."""

from __future__ import annotations

import datetime as dt

from srs_common.contracts.accreditation import ResearcherUpdated


def partner(projects, org: str) -> dict[str, str]:
    return projects.tokens.headers("partner", org=org, scope="projects:read")


async def test_a_lead_cannot_file_a_project_under_another_organisation(
    projects, client, application
):
    await projects.accredit("res-bob", organisation_id="org-other")
    bob = projects.researcher("res-bob")
    claimed = await client.post(
        "/v1/projects", headers=bob, json={**application, "organisation_id": "org-ntu"}
    )
    assert claimed.status_code == 422
    assert claimed.json()["rule"] == "organisation_not_leads"
    assert "org-other" in claimed.json()["detail"]

    del application["organisation_id"]
    created = await client.post("/v1/projects", headers=bob, json=application)
    assert created.status_code == 201, created.text
    project_id = created.json()["id"]
    assert created.json()["organisation_id"] == "org-other"
    assert (
        await client.get(f"/v1/projects/{project_id}", headers=partner(projects, "org-ntu"))
    ).status_code == 404
    assert (
        await client.get(f"/v1/projects/{project_id}", headers=partner(projects, "org-other"))
    ).status_code == 200


async def test_the_researcher_record_decides_the_organisation(
    projects, client, deliver, application
):
    del application["organisation_id"]
    now = dt.datetime.now(dt.UTC)
    # Support moved Alice to another organisation: her next project belongs there ...
    await deliver(
        client,
        ResearcherUpdated(
            researcher_id="res-alice",
            name="Alice Example",
            email="alice@ucl.example",
            organisation_id="org-ucl",
            occurred_at=now,
        ),
        subject="res-alice",
        source="/srs/accreditation",
    )
    # ... even when a later accreditation event still names the old one.
    await projects.accredit(
        "res-alice", organisation_id="org-ntu", occurred_at=now + dt.timedelta(seconds=1)
    )
    created = await client.post(
        "/v1/projects", headers=projects.researcher("res-alice"), json=application
    )
    assert created.status_code == 201, created.text
    assert created.json()["organisation_id"] == "org-ucl"
    [listed] = (await client.get("/v1/projects", headers=partner(projects, "org-ucl"))).json()[
        "items"
    ]
    assert listed["id"] == created.json()["id"]
    assert (await client.get("/v1/projects", headers=partner(projects, "org-ntu"))).json()[
        "items"
    ] == []
