"""Projects: applications, panel review, members, extensions, public register.

Seed: ``res-owner`` (accredited) leads an active project of ``org-a`` with member
``res-member``, a pending extension request and a pending request to add ``res-joiner``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from srs_common.contracts.access import ProjectSpaceProvisioned
from srs_common.contracts.accreditation import AccreditationGranted

from . import COMMON, Listing, Only, Public, Seeded

EXPECTED: dict[str, Any] = {
    **COMMON,
    # Drafting creates the caller's own project (researcher B is not accredited: 422).
    "POST /v1/projects": Only("researcher"),
    "GET /v1/projects": Listing("support", "panel"),
    "GET /v1/projects/{project_id}": Only("support", "panel", reads=True),
    "PATCH /v1/projects/{project_id}": Only(),
    "POST /v1/projects/{project_id}/submit": Only(),
    "POST /v1/projects/{project_id}/resubmit": Only(),
    "POST /v1/projects/{project_id}/review": Only("panel"),
    "POST /v1/projects/{project_id}/request-information": Only("panel"),
    "POST /v1/projects/{project_id}/approve": Only("panel"),
    "POST /v1/projects/{project_id}/reject": Only("panel"),
    # Granted priority: the panel only, and only before its decision (409 once active).
    "POST /v1/projects/{project_id}/priority": Only("panel"),
    "GET /v1/projects/{project_id}/member-requests": Only("support", "panel", reads=True),
    # Decided by support (the default member_approver; the panel gets 403).
    "POST /v1/projects/{project_id}/member-requests/{request_id}/approve": Only("support"),
    "POST /v1/projects/{project_id}/member-requests/{request_id}/refuse": Only("support"),
    "POST /v1/projects/{project_id}/lead": Only("support"),
    "POST /v1/projects/{project_id}/members": Only(),
    "DELETE /v1/projects/{project_id}/members/{researcher_id}": Only(),
    "POST /v1/projects/{project_id}/suspend": Only("support"),
    "POST /v1/projects/{project_id}/resume": Only("support"),
    "POST /v1/projects/{project_id}/extensions": Only(),
    "GET /v1/projects/{project_id}/extensions": Only("support", "panel", reads=True),
    "POST /v1/projects/{project_id}/extensions/{extension_id}/approve": Only("support"),
    "POST /v1/projects/{project_id}/extensions/{extension_id}/refuse": Only("support"),
    "POST /v1/projects/{project_id}/complete": Only(),
    "GET /v1/register/projects": Public("the public register of approved projects"),
}

TODAY = dt.datetime.now(dt.UTC).date()
APPLICATION = {
    "title": "Burglary security effectiveness",
    "lay_summary": "Which home security measures protect against burglary.",
    "public_benefit": "Evidence for crime prevention advice.",
    "organisation_id": "org-a",
    "legal_gateway": "DEA",
    "dataset_ids": ["ds-csew-2019"],
    "expected_start_date": str(TODAY + dt.timedelta(days=30)),
    "expected_end_date": str(TODAY + dt.timedelta(days=400)),
    "ethics_confirmed": True,
    "data_source_acknowledged": True,
}


async def accredit(client: Any, deliver: Any, researcher_id: str, org: str = "org-a") -> None:
    await deliver(
        client,
        AccreditationGranted(
            accreditation_id=f"acc-{researcher_id}",
            researcher_id=researcher_id,
            organisation_id=org,
            kind="full",
            status="current",
            valid_from=TODAY - dt.timedelta(days=10),
            valid_until=TODAY + dt.timedelta(days=1000),
            occurred_at=dt.datetime.now(dt.UTC),
        ),
        subject=researcher_id,
        source="/srs/accreditation",
    )


async def drafted(client: Any, tokens: Any, deliver: Any, lead: str = "res-owner") -> str:
    await accredit(client, deliver, lead)
    response = await client.post(
        "/v1/projects",
        json=APPLICATION,
        headers=tokens.headers("researcher", researcher_id=lead, org="org-a"),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def under_review(client: Any, tokens: Any, deliver: Any, lead: str = "res-owner") -> str:
    project_id = await drafted(client, tokens, deliver, lead)
    owner = tokens.headers("researcher", researcher_id=lead, org="org-a")
    panel = tokens.headers("panel", sub="panel-a")
    for path, headers in (
        (f"/v1/projects/{project_id}/submit", owner),
        (f"/v1/projects/{project_id}/review", panel),
    ):
        response = await client.post(path, headers=headers)
        assert response.status_code == 200, response.text
    return project_id


async def seed(client: Any, tokens: Any, deliver: Any) -> Seeded:
    owner = tokens.headers("researcher", researcher_id="res-owner", org="org-a")
    await accredit(client, deliver, "res-member")
    project_id = await drafted(client, tokens, deliver)
    response = await client.post(
        f"/v1/projects/{project_id}/members",
        headers=owner,
        json={"researcher_id": "res-member", "role": "researcher"},
    )
    assert response.status_code == 201, response.text
    for path, headers, body in (
        (f"/v1/projects/{project_id}/submit", owner, None),
        (f"/v1/projects/{project_id}/review", tokens.headers("panel"), None),
        (
            f"/v1/projects/{project_id}/approve",
            tokens.headers("panel"),
            {"reason": "clear public benefit"},
        ),
    ):
        response = await client.post(path, headers=headers, json=body)
        assert response.status_code == 200, response.text
    await deliver(
        client,
        ProjectSpaceProvisioned(
            project_id=project_id,
            space_id=f"spc-{project_id}",
            dataset_ids=["ds-csew-2019"],
            accounts_enabled=["res-owner"],
            provisioned_at=dt.datetime.now(dt.UTC),
        ),
        subject=project_id,
        source="/srs/access",
    )
    response = await client.post(
        f"/v1/projects/{project_id}/extensions",
        headers=owner,
        json={"expected_end_date": str(TODAY + dt.timedelta(days=500)), "reason": "wave delayed"},
    )
    assert response.status_code == 201, response.text
    extension_id = response.json()["id"]
    await accredit(client, deliver, "res-joiner")
    response = await client.post(
        f"/v1/projects/{project_id}/members",
        headers=owner,
        json={"researcher_id": "res-joiner", "role": "researcher"},
    )
    assert response.status_code == 202, response.text
    request_id = response.json()["id"]
    return Seeded(
        params={
            "project_id": project_id,
            "researcher_id": "res-member",
            "extension_id": extension_id,
            "request_id": request_id,
        },
        secrets={project_id, extension_id, request_id},
    )
