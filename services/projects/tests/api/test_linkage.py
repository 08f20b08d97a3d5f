"""Linkage over the API: the CRN format, the charge agreement for names and addresses
matching, the SRS team's IDBR task after approval, and linked dataset requests with the
four factors; every route refuses the people it is not for."""

from __future__ import annotations

import datetime as dt

from srs_common.contracts.access import DatasetCatalogued

CRN = {"idbr": {"method": "crn", "crns": ["01234567", "SC123456", "oc 301234"]}}


async def catalogue(projects, dataset_id: str, owner: str, title: str | None = None) -> None:
    await projects.deliver(
        projects.client,
        DatasetCatalogued(
            dataset_id=dataset_id,
            title=title or dataset_id,
            owner=owner,
            access_level="aoc_office",
            disclosure_threshold=10,
            occurred_at=dt.datetime.now(dt.UTC),
        ),
        subject=dataset_id,
        source="/srs/access",
    )


async def test_each_invalid_crn_is_named_in_the_problem(projects, client, application):
    refused = await client.post(
        "/v1/projects",
        headers=projects.researcher("res-alice"),
        json={
            **application,
            "linkage": {"idbr": {"method": "crn", "crns": ["01234567", "1234567", "XX123456"]}},
        },
    )
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert error["field"] == "body.linkage.idbr.crns"
    assert "'1234567' has 7 characters, not 8" in error["message"]
    assert "'XX123456' XX is not a Companies House prefix" in error["message"]
    assert "01234567" not in error["message"]

    project_id = await projects.draft(linkage=CRN)
    stored = (await projects.get(project_id))["linkage"]["idbr"]["crns"]
    assert stored == ["01234567", "SC123456", "OC301234"]


async def test_names_and_addresses_matching_records_who_agreed_to_pay(projects, client):
    alice = projects.researcher("res-alice")
    project_id = await projects.draft(linkage={"idbr": {"method": "names_addresses"}})
    refused = await client.post(f"/v1/projects/{project_id}/submit", headers=alice)
    assert refused.status_code == 422
    assert refused.json()["rule"] == "idbr_charge_agreement_required"
    assert "charge_accepted" in refused.json()["detail"]

    agreed = await client.patch(
        f"/v1/projects/{project_id}",
        headers=alice,
        json={"linkage": {"idbr": {"method": "names_addresses", "charge_accepted": True}}},
    )
    idbr = agreed.json()["linkage"]["idbr"]
    assert idbr["charge_agreed_by"] == "res-alice" and idbr["charge_agreed_at"]
    submitted = await client.post(f"/v1/projects/{project_id}/submit", headers=alice)
    assert submitted.status_code == 200
    assert submitted.json()["linkage"]["idbr"]["charge_agreed_at"] == idbr["charge_agreed_at"]


async def test_approval_opens_a_task_the_srs_team_works_to_completion(projects, client):
    project_id = await projects.approved(linkage=CRN)
    await projects.approved()  # no linkage: no task
    support, alice = projects.support, projects.researcher("res-alice")

    queue = (await client.get("/v1/linkage-tasks", headers=support)).json()["items"]
    [task] = queue
    assert task["project_id"] == project_id and task["status"] == "pending"
    assert task["method"] == "crn" and task["crn_count"] == 3
    assert task["project_title"] == (await projects.get(project_id))["title"]

    early = await client.post(
        f"/v1/linkage-tasks/{task['id']}/complete",
        headers=support,
        json={"matched_count": 1, "unmatched_count": 0},
    )
    assert early.status_code == 409 and early.json()["current_state"] == "pending"
    started = await client.post(f"/v1/linkage-tasks/{task['id']}/start", headers=support)
    assert started.json()["status"] == "in_progress"
    assert started.json()["started_by"] == "support-1"
    negative = await client.post(
        f"/v1/linkage-tasks/{task['id']}/complete",
        headers=support,
        json={"matched_count": -1, "unmatched_count": 0},
    )
    assert negative.status_code == 422
    done = await client.post(
        f"/v1/linkage-tasks/{task['id']}/complete",
        headers=support,
        json={"matched_count": 2, "unmatched_count": 1, "note": "One is dissolved."},
    )
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["status"], body["matched_count"], body["unmatched_count"]) == ("completed", 2, 1)
    assert body["extract_id"] == f"idbr-{task['id']}"

    [event] = await projects.events("srs.linkage_task.completed.v1")
    assert event["project_id"] == project_id and event["extract_id"] == body["extract_id"]
    assert event["lead_researcher_id"] == "res-alice" and event["matched_count"] == 2

    # The lead follows it from their project; the audit trail names each step.
    mine = await client.get("/v1/linkage-tasks", headers=alice, params={"project_id": project_id})
    assert [t["status"] for t in mine.json()["items"]] == ["completed"]
    actions = [d["action"] for d in (await projects.get(project_id))["decisions"]]
    linkage_steps = [a for a in actions if a.startswith("linkage_task_")]
    assert linkage_steps == [
        "linkage_task_opened",
        "linkage_task_started",
        "linkage_task_completed",
    ]
    assert actions.index("linkage_task_opened") > actions.index("start_review")


async def test_a_failed_task_records_the_reason(projects, client):
    await projects.approved(
        linkage={"idbr": {"method": "names_addresses", "charge_accepted": True}}
    )
    [task] = (await client.get("/v1/linkage-tasks", headers=projects.support)).json()["items"]
    assert task["method"] == "names_addresses"
    failed = await client.post(
        f"/v1/linkage-tasks/{task['id']}/fail",
        headers=projects.support,
        json={"reason": "No address could be matched on the IDBR."},
    )
    assert failed.json()["status"] == "failed"
    [event] = await projects.events("srs.linkage_task.failed.v1")
    assert event["reason"] == "No address could be matched on the IDBR."
    again = await client.post(f"/v1/linkage-tasks/{task['id']}/start", headers=projects.support)
    assert again.status_code == 409


async def test_tasks_are_hidden_from_and_closed_to_everyone_else(projects, client):
    await projects.accredit("res-mallory")
    project_id = await projects.approved(linkage=CRN)
    [task] = (await client.get("/v1/linkage-tasks", headers=projects.support)).json()["items"]
    url = f"/v1/linkage-tasks/{task['id']}"
    mallory = projects.researcher("res-mallory")
    assert (await client.get(url, headers=mallory)).status_code == 404
    assert (await client.get("/v1/linkage-tasks", headers=mallory)).json()["items"] == []
    assert (await client.get(url, headers=projects.panel)).status_code == 404
    alice = projects.researcher("res-alice")
    assert (await client.get(url, headers=alice)).json()["project_id"] == project_id
    for who in (alice, mallory, projects.panel):
        assert (await client.post(f"{url}/start", headers=who)).status_code == 403
        fail = await client.post(f"{url}/fail", headers=who, json={"reason": "because"})
        assert fail.status_code == 403
    assert (await client.get(url)).status_code == 401
    assert (await client.post(f"{url}/start", headers=projects.support)).status_code == 200


REQUEST = {
    "title": "ASHE 2021 linked to Census 2021",
    "source_dataset_ids": ["ds-ashe-2021", "ds-census-2021"],
    "purpose": "Earnings by household composition",
    "wider_benefit": "Many projects on low pay need household context.",
}
ASSESSMENT = {
    "user_need": {"strength": "strong", "note": "five projects asked"},
    "owner_support": [
        {"owner": "ONS", "supports": True},
        {"owner": "DWP", "supports": True, "note": "letter of 2 Dec"},
    ],
    "feasibility": {"finding": "complex"},
    "ons_resource": {"available": True, "note": "two analysts"},
}


async def test_a_linked_dataset_request_is_assessed_and_agreed(projects, client):
    await catalogue(projects, "ds-ashe-2021", "ONS", "Annual Survey of Hours and Earnings 2021")
    await catalogue(projects, "ds-census-2021", "DWP", "Census 2021")
    alice, support = projects.researcher("res-alice"), projects.support
    unknown = await client.post(
        "/v1/linked-dataset-requests",
        headers=alice,
        json={**REQUEST, "source_dataset_ids": ["ds-ashe-2021", "ds-nope"]},
    )
    assert unknown.status_code == 422 and unknown.json()["dataset_ids"] == ["ds-nope"]
    created = await client.post("/v1/linked-dataset-requests", headers=alice, json=REQUEST)
    assert created.status_code == 201, created.text
    request = created.json()
    assert request["status"] == "requested" and request["data_owners"] == ["ONS", "DWP"]
    assert request["source_titles"][0] == "Annual Survey of Hours and Earnings 2021"
    url = f"/v1/linked-dataset-requests/{request['id']}"

    too_soon = await client.post(
        f"{url}/decision",
        headers=support,
        json={"outcome": "agreed", "reasons": "fine", "dataset_id": "ds-linked-x"},
    )
    assert too_soon.status_code == 409
    missing_owner = await client.post(
        f"{url}/assessment",
        headers=support,
        json={**ASSESSMENT, "owner_support": [{"owner": "ONS", "supports": True}]},
    )
    assert missing_owner.status_code == 422
    assert missing_owner.json()["rule"] == "data_owner_support_missing"
    assert missing_owner.json()["missing"] == ["DWP"]
    refusing = {
        **ASSESSMENT,
        "owner_support": [{"owner": "ONS", "supports": True}, {"owner": "DWP", "supports": False}],
    }
    assessed = await client.post(f"{url}/assessment", headers=support, json=refusing)
    assert assessed.json()["status"] == "under_assessment"
    blocked = await client.post(
        f"{url}/decision",
        headers=support,
        json={"outcome": "agreed", "reasons": "fine", "dataset_id": "ds-linked-ashe-census"},
    )
    assert blocked.status_code == 422 and blocked.json()["rule"] == "data_owner_support_required"

    await client.post(f"{url}/assessment", headers=support, json=ASSESSMENT)
    agreed = await client.post(
        f"{url}/decision",
        headers=support,
        json={"outcome": "agreed", "reasons": "Strong need", "dataset_id": "ds-linked-ashe-census"},
    )
    assert agreed.status_code == 200, agreed.text
    assert agreed.json()["status"] == "agreed" and agreed.json()["decided_by"] == "support-1"
    [event] = await projects.events("srs.linked_dataset.decided.v1")
    assert event["outcome"] == "agreed" and event["dataset_id"] == "ds-linked-ashe-census"
    assert event["requested_by"] == "res-alice"
    assert event["source_dataset_ids"] == ["ds-ashe-2021", "ds-census-2021"]
    twice = await client.post(
        f"{url}/decision", headers=support, json={"outcome": "declined", "reasons": "changed"}
    )
    assert twice.status_code == 409
    mine = await client.get("/v1/linked-dataset-requests", headers=alice)
    assert [r["status"] for r in mine.json()["items"]] == ["agreed"]


async def test_a_declined_request_carries_the_reasons(projects, client):
    await catalogue(projects, "ds-ashe-2021", "ONS")
    await catalogue(projects, "ds-census-2021", "ONS")
    created = await client.post(
        "/v1/linked-dataset-requests", headers=projects.researcher("res-alice"), json=REQUEST
    )
    assert created.json()["data_owners"] == ["ONS"]
    declined = await client.post(
        f"/v1/linked-dataset-requests/{created.json()['id']}/decision",
        headers=projects.support,
        json={"outcome": "declined", "reasons": "No benefit beyond one project."},
    )
    assert declined.json()["status"] == "declined"
    [event] = await projects.events("srs.linked_dataset.decided.v1")
    assert event["outcome"] == "declined" and event["dataset_id"] is None
    bad = await client.post(
        f"/v1/linked-dataset-requests/{created.json()['id']}/decision",
        headers=projects.support,
        json={"outcome": "requested", "reasons": "x" * 5},
    )
    assert bad.status_code in (409, 422)


async def test_requests_are_hidden_from_and_closed_to_everyone_else(projects, client):
    await catalogue(projects, "ds-ashe-2021", "ONS")
    await catalogue(projects, "ds-census-2021", "DWP")
    await projects.accredit("res-mallory")
    mallory = projects.researcher("res-mallory")
    alices_project = await projects.draft()
    not_hers = await client.post(
        "/v1/linked-dataset-requests",
        headers=mallory,
        json={**REQUEST, "project_id": alices_project},
    )
    assert not_hers.status_code == 404
    staff = await client.post("/v1/linked-dataset-requests", headers=projects.panel, json=REQUEST)
    assert staff.status_code == 403
    created = await client.post(
        "/v1/linked-dataset-requests",
        headers=projects.researcher("res-alice"),
        json={**REQUEST, "project_id": alices_project},
    )
    assert created.status_code == 201
    url = f"/v1/linked-dataset-requests/{created.json()['id']}"
    assert (await client.get(url, headers=mallory)).status_code == 404
    assert (await client.get(url, headers=projects.panel)).status_code == 404
    assert (await client.get("/v1/linked-dataset-requests", headers=mallory)).json()["items"] == []
    alice = projects.researcher("res-alice")
    for who in (alice, mallory, projects.panel):
        assessed = await client.post(f"{url}/assessment", headers=who, json=ASSESSMENT)
        assert assessed.status_code == 403
        decided = await client.post(
            f"{url}/decision", headers=who, json={"outcome": "declined", "reasons": "nope"}
        )
        assert decided.status_code == 403
