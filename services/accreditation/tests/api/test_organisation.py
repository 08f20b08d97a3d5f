"""A researcher's organisation is the one of their verified identity (the token's ``org``
claim) and only support changes it; partners see only researchers truly theirs."""

from __future__ import annotations

PROFILE = {
    "name": "Mallory Example",
    "email": "mallory@ucl.example",
    "qualifications": {"degree": "masters", "degree_quantitative": True},
}


async def ids(client, headers) -> list[str]:
    response = await client.get("/v1/researchers", headers=headers)
    assert response.status_code == 200, response.text
    return [r["id"] for r in response.json()["items"]]


async def test_registration_takes_the_organisation_from_the_token(client, flow, events):
    registered = await client.post(
        "/v1/researchers", json=PROFILE, headers=flow.researcher("res-mallory", org="org-ucl")
    )
    assert registered.status_code == 201, registered.text
    assert registered.json()["organisation_id"] == "org-ucl"
    [event] = await events("srs.researcher.registered.v1")
    assert event["organisation_id"] == "org-ucl"


async def test_a_body_naming_another_organisation_is_refused_and_no_partner_sees_them(
    client, flow, events
):
    claimed = await client.post(
        "/v1/researchers",
        json={**PROFILE, "organisation_id": "org-ntu"},
        headers=flow.researcher("res-mallory", org="org-ucl"),
    )
    assert claimed.status_code == 422
    assert claimed.headers["content-type"] == "application/problem+json"
    assert claimed.json()["rule"] == "organisation_from_identity"
    assert "org-ntu" in claimed.json()["detail"] and "org-ucl" in claimed.json()["detail"]
    assert await events() == []
    # Registered properly, they belong to their own organisation's partner only.
    await flow.register("res-mallory", org="org-ucl")
    assert await ids(client, flow.partner("org-ntu")) == []
    assert await ids(client, flow.partner("org-ucl")) == ["res-mallory"]
    assert (
        await client.get("/v1/researchers/res-mallory", headers=flow.partner("org-ntu"))
    ).status_code == 404


async def test_a_token_without_an_organisation_cannot_register(client, flow, tokens, events):
    refused = await client.post(
        "/v1/researchers",
        json={**PROFILE, "organisation_id": "org-ntu"},
        headers=tokens.headers("researcher", researcher_id="res-x"),
    )
    assert refused.status_code == 403
    assert "org claim" in refused.json()["detail"]
    assert await events() == []


async def test_a_researcher_cannot_move_themself_to_another_organisation(client, flow, events):
    await flow.register("res-mallory", org="org-ucl")
    moved = await client.patch(
        "/v1/researchers/res-mallory",
        json={"organisation_id": "org-ntu"},
        headers=flow.researcher("res-mallory", org="org-ucl"),
    )
    assert moved.status_code == 422 and moved.json()["rule"] == "organisation_from_identity"
    same = await client.patch(
        "/v1/researchers/res-mallory",
        json={"organisation_id": "org-ucl", "name": "Mallory M"},
        headers=flow.researcher("res-mallory", org="org-ucl"),
    )
    assert same.status_code == 200 and same.json()["organisation_id"] == "org-ucl"
    read = await client.get("/v1/researchers/res-mallory", headers=flow.support)
    assert read.json()["organisation_id"] == "org-ucl"
    assert await ids(client, flow.partner("org-ntu")) == []
    assert [e["organisation_id"] for e in await events("srs.researcher.updated.v1")] == ["org-ucl"]


async def test_support_moves_a_researcher_recorded_and_published(client, flow, events):
    await flow.register("res-alice", org="org-ntu")
    url = "/v1/researchers/res-alice/organisation"
    body = {"organisation_id": "org-ucl", "reason": "moved to UCL (HR letter of 1 December)"}
    for caller in (flow.researcher("res-alice"), flow.partner("org-ucl"), flow.panel):
        assert (await client.post(url, json=body, headers=caller)).status_code == 403
    moved = await client.post(url, json=body, headers=flow.support)
    assert moved.status_code == 200, moved.text
    assert moved.json()["organisation_id"] == "org-ucl"
    [updated] = await events("srs.researcher.updated.v1")
    assert updated["organisation_id"] == "org-ucl" and updated["key"] == "res-alice"
    assert await ids(client, flow.partner("org-ucl")) == ["res-alice"]
    assert await ids(client, flow.partner("org-ntu")) == []
    history = await client.get(
        "/v1/researchers/res-alice/organisation-changes", headers=flow.support
    )
    assert history.status_code == 200
    assert [
        (h["from_organisation_id"], h["to_organisation_id"], h["changed_by"], h["reason"])
        for h in history.json()
    ] == [("org-ntu", "org-ucl", "support-1", body["reason"])]
    again = await client.post(url, json=body, headers=flow.support)
    assert again.status_code == 409
    assert (
        await client.post(
            "/v1/researchers/res-nobody/organisation", json=body, headers=flow.support
        )
    ).status_code == 404
    bad = await client.post(url, json={"organisation_id": "", "reason": "x"}, headers=flow.support)
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"body.organisation_id", "body.reason"}
    assert len(await events("srs.researcher.updated.v1")) == 1
