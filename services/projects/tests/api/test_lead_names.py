"""A page of projects names each one's lead (the name on their researcher record), so
the panel's queue shows people rather than ids; nobody who may not see a project learns
its lead's name from the list."""

from __future__ import annotations

import datetime as dt

from srs_common.contracts.accreditation import ResearcherRegistered

from .test_member_names import _record


async def test_the_list_names_each_projects_lead(projects, client):
    await projects.accredit("res-alice")
    project_id = await projects.draft()
    listed = await client.get("/v1/projects", headers=projects.researcher("res-alice"))
    [item] = [p for p in listed.json()["items"] if p["id"] == project_id]
    assert item["lead_researcher_name"] is None  # no researcher record heard of yet
    await _record(
        projects, ResearcherRegistered, "res-alice", "Alice Example", dt.datetime.now(dt.UTC)
    )
    listed = await client.get("/v1/projects", headers=projects.researcher("res-alice"))
    [item] = [p for p in listed.json()["items"] if p["id"] == project_id]
    assert (item["lead_researcher_id"], item["lead_researcher_name"]) == (
        "res-alice",
        "Alice Example",
    )
    # Another researcher's list holds neither the project nor its lead's name.
    other = await client.get("/v1/projects", headers=projects.researcher("res-eve"))
    assert other.status_code == 200 and "Alice Example" not in other.text
