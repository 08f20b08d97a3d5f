"""The linkage section of the application, and the public register of projects."""

from __future__ import annotations

import pytest


async def test_names_and_addresses_matching_needs_the_charge_accepted_before_submission(
    projects, client
):
    project_id = await projects.draft(linkage={"idbr": {"method": "names_addresses"}})
    alice = projects.researcher("res-alice")
    refused = await client.post(f"/v1/projects/{project_id}/submit", headers=alice)
    assert refused.status_code == 422
    assert "charge_accepted" in refused.json()["detail"]

    accepted = await client.patch(
        f"/v1/projects/{project_id}",
        headers=alice,
        json={"linkage": {"idbr": {"method": "names_addresses", "charge_accepted": True}}},
    )
    assert accepted.json()["linkage"]["idbr_performed_by"] == "idbr_team"
    assert (
        await client.post(f"/v1/projects/{project_id}/submit", headers=alice)
    ).status_code == 200


async def test_crn_matching_is_done_by_the_srs_team_and_needs_the_crns(
    projects, client, application
):
    alice = projects.researcher("res-alice")
    no_crns = await client.post(
        "/v1/projects", headers=alice, json={**application, "linkage": {"idbr": {"method": "crn"}}}
    )
    assert no_crns.status_code == 422
    assert "crns" in no_crns.text
    project_id = await projects.submitted(
        linkage={"idbr": {"method": "crn", "crns": ["01234567", "SC123456"]}}
    )
    linkage = (await projects.get(project_id))["linkage"]
    assert linkage["idbr_performed_by"] == "srs_team"
    assert linkage["idbr"]["crns"] == ["01234567", "SC123456"]


@pytest.mark.parametrize("method", ["common_variables", "matching on entref"])
async def test_matching_by_common_variables_is_not_linkage(projects, client, application, method):
    refused = await client.post(
        "/v1/projects",
        headers=projects.researcher("res-alice"),
        json={**application, "linkage": {"idbr": {"method": method}}},
    )
    assert refused.status_code == 422
    assert "common variables" in refused.text and "is not linkage" in refused.text


async def test_a_linked_dataset_request_records_need_support_feasibility_and_resource(
    projects, client, application
):
    request = {
        "user_need": "Many projects need survey responses linked to benefits data",
        "data_owner_support": "DWP and ONS both support it",
        "feasibility": "Both sources share NINo; moderate complexity",
        "resource": "Two analysts for three months",
    }
    partial = await client.post(
        "/v1/projects",
        headers=projects.researcher("res-alice"),
        json={**application, "linkage": {"linked_dataset_request": {"user_need": "we need it"}}},
    )
    assert partial.status_code == 422
    fields = {e["field"] for e in partial.json()["errors"]}
    assert "body.linkage.linked_dataset_request.feasibility" in fields
    project_id = await projects.draft(linkage={"linked_dataset_request": request})
    assert (await projects.get(project_id))["linkage"]["linked_dataset_request"] == request


# --- the public register -------------------------------------------------------------------


async def test_the_register_lists_accredited_projects_without_a_token(projects, client):
    await projects.draft(title="Secret draft on wages")
    await projects.submitted(title="Pending project on wages")
    rejected = await projects.under_review(title="Rejected wages study")
    await client.post(
        f"/v1/projects/{rejected}/reject",
        json={"reason": "not public good"},
        headers=projects.panel,
    )
    approved = await projects.approved(title="Minimum wage and productivity")
    active = await projects.active(title="Burglary security effectiveness")

    response = await client.get("/v1/register/projects")
    assert response.status_code == 200
    entries = response.json()["items"]
    assert [e["id"] for e in entries] == [active, approved]  # newest accreditation first
    entry = entries[0]
    assert entry == {
        "id": active,
        "title": "Burglary security effectiveness",
        "lay_summary": "Which home security measures protect against burglary.",
        "organisation_id": "org-ntu",
        "legal_gateway": "DEA",
        "dataset_ids": ["ds-csew-2019"],
        "accredited_at": entry["accredited_at"],
        "status": "active",
        "final_publications": [],
        "case_study": False,
    }
    assert "members" not in entry and "lead_researcher_id" not in entry


async def test_the_register_searches_and_pages(projects, client):
    wage_ids = [await projects.approved(title=f"Minimum wage study {n}") for n in range(3)]
    await projects.approved(title="Burglary security effectiveness")

    found = await client.get("/v1/register/projects", params={"q": "WAGE", "limit": 2})
    first = found.json()
    assert len(first["items"]) == 2 and first["next"]
    rest = (
        await client.get(
            "/v1/register/projects", params={"q": "wage", "limit": 2, "cursor": first["next"]}
        )
    ).json()
    assert rest["next"] is None
    seen = [e["id"] for e in first["items"] + rest["items"]]
    assert sorted(seen) == sorted(wage_ids) and len(set(seen)) == 3

    wildcard = await client.get("/v1/register/projects", params={"q": "%"})
    assert wildcard.json()["items"] == []
    bad = await client.get("/v1/register/projects", params={"cursor": "bm90IGEgY3Vyc29y"})
    assert bad.status_code == 422
