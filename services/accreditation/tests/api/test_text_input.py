"""Text PostgreSQL cannot store (NUL) is a 422 naming the field, not a 500 at the flush."""

from __future__ import annotations


async def test_nul_in_a_profile_field_is_422_and_nothing_changes(client, flow):
    await flow.register("res-nul")
    response = await client.patch(
        "/v1/researchers/res-nul",
        json={"name": "Ada\u0000Lovelace"},
        headers=flow.researcher("res-nul"),
    )
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["body.name"]
    profile = await client.get("/v1/researchers/res-nul", headers=flow.support)
    assert profile.json()["name"] == "Researcher res-nul"


async def test_nul_in_a_panel_reason_is_422(client, flow):
    await flow.register("res-nul")
    application = await flow.submitted("res-nul")
    response = await client.post(
        f"/v1/applications/{application['id']}/reject",
        json={"reason": "no\u0000"},
        headers=flow.panel,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.reason"
