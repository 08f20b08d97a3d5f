"""Text PostgreSQL cannot store (NUL) is a 422 naming the field, not a 500 at the flush."""

from __future__ import annotations


async def test_nul_in_an_application_field_is_422_and_nothing_is_drafted(
    client, projects, application
):
    response = await client.post(
        "/v1/projects",
        json={**application, "title": "Burglary\u0000"},
        headers=projects.researcher("res-alice"),
    )
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["body.title"]
    listed = await client.get("/v1/projects", headers=projects.support)
    assert listed.json()["items"] == []


async def test_nul_in_a_list_of_dataset_ids_is_422(client, projects, application):
    response = await client.post(
        "/v1/projects",
        json={**application, "dataset_ids": ["ds-\u0000"]},
        headers=projects.researcher("res-alice"),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].startswith("body.dataset_ids")
