"""Clearance: output requests, files, the checkers' queue, votes, comments, audit.

Seed: an active project ``prj_owner_a`` of ``org-a`` led by ``res-owner``; an output
request by ``res-owner`` with one group and one file, submitted and taken into review by
checker ``chk-a``, with a shared comment. The clock is fixed as in the service's tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from srs_common.contracts import access, projects

from . import COMMON, Listing, Only, Seeded

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
PROJECT = "prj_owner_a"
CSV = b"region,year,count\nNorth,2021,120\nSouth,2021,40\n"
SIGNED_IN = ("researcher", "panel", "checker", "support", "ops", "partner", "data_owner")
# 422 for a body or upload the caller got wrong reveals nothing of owner A's request.
OWN_STANDING = (403, 404, 422)

EXPECTED: dict[str, Any] = {
    **COMMON,
    "GET /v1/audit/clearance": Listing("support", "ops"),
    "GET /v1/audit/clearance/verification": Only("support", "ops", reads=True),
    "POST /v1/sdc/checks": Only(*SIGNED_IN),
    # Researcher B drafting on owner A's project: not a member.
    "POST /v1/outputs": Only(
        body={"project_id": PROJECT, "kind": "pre_publication", "title": "Intrusion"},
        refusals=OWN_STANDING,
    ),
    "GET /v1/outputs": Listing("checker", "support"),
    "GET /v1/outputs/{output_id}": Only("checker", "support", reads=True),
    "GET /v1/outputs/{output_id}/status": Only("checker", "support", reads=True),
    "POST /v1/outputs/{output_id}/groups": Only(),
    "POST /v1/outputs/{output_id}/groups/{group_id}/files": Only(refusals=OWN_STANDING),
    "GET /v1/outputs/{output_id}/files/{file_id}": Only("checker", "support"),
    "POST /v1/outputs/{output_id}/submit": Only(),
    "POST /v1/outputs/{output_id}/withdraw": Only(),
    "GET /v1/queue": Listing("checker", "support"),
    "POST /v1/outputs/{output_id}/review": Only("checker"),
    "POST /v1/outputs/{output_id}/recheck": Only("checker"),
    "POST /v1/outputs/{output_id}/clarification": Only("checker"),
    "POST /v1/outputs/{output_id}/clarification/response": Only(),
    "POST /v1/outputs/{output_id}/votes": Only("checker"),
    "GET /v1/outputs/{output_id}/votes": Only("checker", "support"),
    "POST /v1/outputs/{output_id}/decision": Only("checker"),
    "GET /v1/outputs/{output_id}/audit": Only("checker", "support", reads=True),
    "POST /v1/outputs/{output_id}/comments": Only("checker", "support"),
    "GET /v1/outputs/{output_id}/comments": Only("checker", "support", reads=True),
    "POST /v1/outputs/{output_id}/destruction": Only(),
}


def settings_overrides(tmp_path: Any) -> dict[str, Any]:
    return {"outputs_dir": tmp_path / "outputs"}


async def active_project(
    client: Any, deliver: Any, project_id: str = PROJECT, members: tuple[str, ...] = ("res-owner",)
) -> None:
    client.app.state.clock = lambda: NOW
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
    await deliver(
        client,
        projects.ProjectApproved(
            project_id=project_id,
            title="A project",
            organisation_id="org-a",
            legal_gateway="DEA",
            dataset_ids=["ds-csew-2019"],
            members=[
                projects.ProjectMember(researcher_id=r, role="lead" if i == 0 else "researcher")
                for i, r in enumerate(members)
            ],
            expected_end_date=dt.date(2027, 6, 30),
            approved_at=NOW,
        ),
        subject=project_id,
    )
    await deliver(
        client,
        projects.ProjectActivated(
            project_id=project_id,
            organisation_id="org-a",
            dataset_ids=["ds-csew-2019"],
            occurred_at=NOW,
        ),
        subject=project_id,
    )


async def submitted(
    client: Any, tokens: Any, lead: str = "res-owner", project_id: str = PROJECT
) -> tuple[str, str, str]:
    """A submitted output request: (output id, group id, file id)."""
    owner = tokens.headers("researcher", researcher_id=lead, org="org-a")
    created = await client.post(
        "/v1/outputs",
        headers=owner,
        json={"project_id": project_id, "kind": "pre_publication", "title": "Burglary by region"},
    )
    assert created.status_code == 201, created.text
    output_id = created.json()["id"]
    group = await client.post(
        f"/v1/outputs/{output_id}/groups",
        headers=owner,
        json={
            "name": "Table 1",
            "context": "Burglary victims by region and year",
            "controls": "none needed: all counts above 10",
        },
    )
    assert group.status_code == 201, group.text
    group_id = group.json()["id"]
    upload = await client.post(
        f"/v1/outputs/{output_id}/groups/{group_id}/files",
        headers=owner,
        files={"file": ("table1.csv", CSV)},
    )
    assert upload.status_code == 201, upload.text
    response = await client.post(f"/v1/outputs/{output_id}/submit", headers=owner)
    assert response.status_code == 200, response.text
    return output_id, group_id, upload.json()["id"]


async def seed(client: Any, tokens: Any, deliver: Any) -> Seeded:
    await active_project(client, deliver)
    output_id, group_id, file_id = await submitted(client, tokens)
    checker = tokens.headers("checker", sub="chk-a")
    review = await client.post(f"/v1/outputs/{output_id}/review", headers=checker)
    assert review.status_code == 200, review.text
    comment = await client.post(
        f"/v1/outputs/{output_id}/comments",
        headers=checker,
        json={"body": "Please round to 5.", "visibility": "shared"},
    )
    assert comment.status_code == 201, comment.text
    return Seeded(
        params={"output_id": output_id, "group_id": group_id, "file_id": file_id},
        secrets={output_id, file_id},
    )
