"""Projects: applications, panel review, members, extensions, public register.

Seed: ``res-owner`` (accredited) leads an active project of ``org-a`` with member
``res-member``, a pending extension request and a pending request to add ``res-joiner``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from srs_common.contracts.access import (
    DatasetCatalogued,
    DatasetRequirement,
    FormQuestion,
    ProjectSpaceProvisioned,
)
from srs_common.contracts.accreditation import AccreditationGranted

from . import COMMON, Listing, Only, Public, Seeded

LINKED_REQUEST = {
    "title": "CSEW linked to ASHE",
    "source_dataset_ids": ["ds-csew-2019", "ds-ashe-2021"],
    "purpose": "Crime and earnings",
    "wider_benefit": "Many projects need both.",
}

EXPECTED: dict[str, Any] = {
    **COMMON,
    "GET /v1/audit/projects": Listing("support", "ops"),
    "GET /v1/audit/projects/verification": Only("support", "ops", reads=True),
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
    # Support nominates a completed project; only its lead answers.
    "POST /v1/projects/{project_id}/case-study": Only("support"),
    "POST /v1/projects/{project_id}/case-study/consent": Only(),
    "GET /v1/register/projects": Public("the public register of approved projects"),
    # Dataset requirements (the LS supplementary form) of A's submitted application: the
    # panel reads them; only A's lead completes one; only the dataset's team (data owner
    # B speaks for another) or support decides.
    "GET /v1/dataset-requirements": Listing("support", "panel"),
    "GET /v1/dataset-requirements/{requirement_id}": Only("support", "panel", reads=True),
    "POST /v1/dataset-requirements/{requirement_id}/submission": Only(),
    "POST /v1/dataset-requirements/{requirement_id}/accept": Only("support"),
    "POST /v1/dataset-requirements/{requirement_id}/return": Only("support"),
    # Linkage: the SRS team (support) works A's IDBR matching task; A's members follow it.
    "GET /v1/linkage-tasks": Listing("support"),
    "GET /v1/linkage-tasks/{task_id}": Only("support", reads=True),
    "POST /v1/linkage-tasks/{task_id}/start": Only("support"),
    "POST /v1/linkage-tasks/{task_id}/complete": Only(
        "support", body={"matched_count": 1, "unmatched_count": 0}
    ),
    "POST /v1/linkage-tasks/{task_id}/fail": Only("support", body={"reason": "not held"}),
    # A linked dataset request is its requester's (researcher B makes their own: 201)
    # and support's, who assess and decide it.
    "POST /v1/linked-dataset-requests": Only("researcher", body=LINKED_REQUEST),
    "GET /v1/linked-dataset-requests": Listing("support"),
    "GET /v1/linked-dataset-requests/{request_id}": Only(
        "support", reads=True, aliases={"request_id": "linked_request_id"}
    ),
    "POST /v1/linked-dataset-requests/{request_id}/assessment": Only(
        "support", aliases={"request_id": "linked_request_id"}
    ),
    "POST /v1/linked-dataset-requests/{request_id}/decision": Only(
        "support",
        body={"outcome": "declined", "reasons": "no wider benefit"},
        aliases={"request_id": "linked_request_id"},
    ),
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
    requirement_id = await submitted_form(client, tokens, deliver)
    task_id, linked_request_id = await linkage(client, tokens, deliver)
    return Seeded(
        params={
            "project_id": project_id,
            "researcher_id": "res-member",
            "extension_id": extension_id,
            "request_id": request_id,
            "requirement_id": requirement_id,
            "task_id": task_id,
            "linked_request_id": linked_request_id,
        },
        secrets={
            project_id,
            extension_id,
            request_id,
            requirement_id,
            task_id,
            linked_request_id,
        },
    )


async def linkage(client: Any, tokens: Any, deliver: Any) -> tuple[str, str]:
    """A's third project, approved with CRN matching (its IDBR task opens), and A's
    request for a new linked dataset of two catalogued datasets."""
    owner = tokens.headers("researcher", researcher_id="res-owner", org="org-a")
    for dataset_id, title in (("ds-csew-2019", "CSEW 2019"), ("ds-ashe-2021", "ASHE 2021")):
        await deliver(
            client,
            DatasetCatalogued(
                dataset_id=dataset_id,
                title=title,
                owner="ONS",
                access_level="aoc_office",
                disclosure_threshold=10,
                occurred_at=dt.datetime.now(dt.UTC),
            ),
            subject=dataset_id,
            source="/srs/access",
        )
    response = await client.post(
        "/v1/projects",
        json={**APPLICATION, "linkage": {"idbr": {"method": "crn", "crns": ["01234567"]}}},
        headers=owner,
    )
    assert response.status_code == 201, response.text
    project_id = response.json()["id"]
    for path, headers, body in (
        (f"/v1/projects/{project_id}/submit", owner, None),
        (f"/v1/projects/{project_id}/review", tokens.headers("panel"), None),
        (f"/v1/projects/{project_id}/approve", tokens.headers("panel"), {"reason": "benefit"}),
    ):
        response = await client.post(path, headers=headers, json=body)
        assert response.status_code == 200, response.text
    tasks = await client.get(
        "/v1/linkage-tasks", headers=tokens.headers("support"), params={"project_id": project_id}
    )
    [task] = tasks.json()["items"]
    request = await client.post("/v1/linked-dataset-requests", headers=owner, json=LINKED_REQUEST)
    assert request.status_code == 201, request.text
    return str(task["id"]), str(request.json()["id"])


async def submitted_form(client: Any, tokens: Any, deliver: Any) -> str:
    """A's second application asks for a dataset with a supplementary form, which the
    lead completes; the application is submitted and under review."""
    now = dt.datetime.now(dt.UTC)
    form = DatasetRequirement(
        key="ls_form",
        name="LS supplementary form",
        accepted_by="ONS",
        questions=[FormQuestion(key="sector", label="Sector")],
    )
    await deliver(
        client,
        DatasetCatalogued(
            dataset_id="ds-ons-ls",
            title="ONS Longitudinal Study",
            owner="ONS",
            access_level="safe_setting",
            disclosure_threshold=10,
            requirements=[form],
            occurred_at=now,
        ),
        subject="ds-ons-ls",
        source="/srs/access",
    )
    owner = tokens.headers("researcher", researcher_id="res-owner", org="org-a")
    response = await client.post(
        "/v1/projects", json={**APPLICATION, "dataset_ids": ["ds-ons-ls"]}, headers=owner
    )
    assert response.status_code == 201, response.text
    project_id = response.json()["id"]
    [requirement] = response.json()["dataset_requirements"]
    sent = await client.post(
        f"/v1/dataset-requirements/{requirement['id']}/submission",
        headers=owner,
        json={"answers": {"sector": "academic"}},
    )
    assert sent.status_code == 200, sent.text
    for path, headers in (
        (f"/v1/projects/{project_id}/submit", owner),
        (f"/v1/projects/{project_id}/review", tokens.headers("panel")),
    ):
        response = await client.post(path, headers=headers)
        assert response.status_code == 200, response.text
    return str(requirement["id"])
