"""Linkage over the bus with real processes: the panel approves a project asking for IDBR
matching by CRN -> the SRS team's task opens in projects -> support completes it ->
access maps the de-identified extract into the project space; and a linked dataset
request agreed by support -> the new dataset appears in the access catalogue."""

from __future__ import annotations

import uuid

import httpx
import pytest

from .conftest import login, wait_for
from .test_first_flow import APPLICATION

pytestmark = pytest.mark.e2e


def created(url: str, headers: dict[str, str], body: dict, rule: str):
    """POST until the read model the rule depends on has caught up (422 ``rule``)."""

    def attempt():
        response = httpx.post(url, headers=headers, json=body)
        if response.status_code == 422 and response.json().get("rule") == rule:
            return None
        assert response.status_code == 201, response.text
        return response.json()

    return wait_for(attempt, timeout=30, interval=0.2)[0]


def test_crn_matching_result_is_mapped_into_the_project_space(stack):
    projects, access = stack.url("projects"), stack.url("access")
    alice, panel, support = login(stack, "alice"), login(stack, "panel"), login(stack, "support")
    linkage = {"idbr": {"method": "crn", "crns": ["01234567", "SC123456"]}}
    project = created(
        f"{projects}/v1/projects",
        alice,
        {**APPLICATION, "linkage": linkage},
        "accreditation_required",
    )
    project_id = project["id"]
    for path, headers, body in (
        ("submit", alice, None),
        ("review", panel, None),
        ("approve", panel, {"reason": "Clear public benefit"}),
    ):
        response = httpx.post(
            f"{projects}/v1/projects/{project_id}/{path}", headers=headers, json=body
        )
        assert response.status_code == 200, response.text

    tasks = httpx.get(
        f"{projects}/v1/linkage-tasks", headers=support, params={"project_id": project_id}
    ).json()["items"]
    [task] = tasks
    assert task["status"] == "pending" and task["crn_count"] == 2
    url = f"{projects}/v1/linkage-tasks/{task['id']}"
    assert httpx.post(f"{url}/start", headers=support).json()["status"] == "in_progress"
    done = httpx.post(
        f"{url}/complete",
        headers=support,
        json={"matched_count": 2, "unmatched_count": 0, "note": "Both matched."},
    )
    assert done.status_code == 200, done.text

    def mapped():
        space = httpx.get(f"{access}/v1/project-spaces/{project_id}", headers=support)
        if space.status_code != 200:
            return None
        return space.json()["linked_extracts"] or None

    extracts, elapsed = wait_for(mapped, timeout=15)
    print(f"\nlinked extract mapped {elapsed * 1000:.0f} ms after completion")
    assert extracts[0]["id"] == done.json()["extract_id"]
    assert extracts[0]["title"] == "IDBR linked extract (CRN matching)"
    assert extracts[0]["matched_count"] == 2
    # The lead sees the task's outcome from the project.
    mine = httpx.get(
        f"{projects}/v1/linkage-tasks", headers=alice, params={"project_id": project_id}
    ).json()["items"]
    assert [(t["status"], t["matched_count"]) for t in mine] == [("completed", 2)]


def test_an_agreed_linked_dataset_joins_the_access_catalogue(stack):
    projects, access = stack.url("projects"), stack.url("access")
    alice, support = login(stack, "alice"), login(stack, "support")
    request = created(
        f"{projects}/v1/linked-dataset-requests",
        alice,
        {
            "title": "CSEW 2019 linked to ASHE 2021",
            "source_dataset_ids": ["ds-csew-2019", "ds-ashe-2021"],
            "purpose": "Victimisation and earnings",
            "wider_benefit": "Several crime projects need earnings context.",
        },
        "unknown_dataset",
    )
    assert request["data_owners"] == ["ONS"]
    url = f"{projects}/v1/linked-dataset-requests/{request['id']}"
    assessed = httpx.post(
        f"{url}/assessment",
        headers=support,
        json={
            "user_need": {"strength": "strong"},
            "owner_support": [{"owner": "ONS", "supports": True}],
            "feasibility": {"finding": "straightforward"},
            "ons_resource": {"available": True},
        },
    )
    assert assessed.status_code == 200, assessed.text
    dataset_id = f"ds-linked-{uuid.uuid4().hex[:8]}"
    agreed = httpx.post(
        f"{url}/decision",
        headers=support,
        json={"outcome": "agreed", "reasons": "Wide need", "dataset_id": dataset_id},
    )
    assert agreed.status_code == 200, agreed.text

    def catalogued():
        response = httpx.get(f"{access}/v1/datasets/{dataset_id}", headers=support)
        return response.json() if response.status_code == 200 else None

    dataset, _ = wait_for(catalogued, timeout=15)
    assert dataset["title"] == "CSEW 2019 linked to ASHE 2021"
    # As restricted as its most restricted source (ASHE: office under an agreement).
    assert dataset["access_level"] == "aoc_office" and dataset["owner"] == "ONS"
