"""Researcher profiles: the caller's own, support all, a partner its organisation's."""

from __future__ import annotations

PROFILE = {
    "name": "Alice Example",
    "email": "alice@ntu.example",
    "organisation_id": "org-ntu",
    "qualifications": {"degree": "masters", "degree_quantitative": True},
}


async def test_registering_creates_the_profile_under_the_token_id_and_publishes(
    client, flow, events
):
    response = await client.post(
        "/v1/researchers", json=PROFILE, headers=flow.researcher("res-alice")
    )
    assert response.status_code == 201, response.text
    assert response.json()["id"] == "res-alice"
    assert response.json()["qualifications"]["degree"] == "masters"
    [registered] = await events("srs.researcher.registered.v1")
    assert registered["researcher_id"] == "res-alice"
    assert registered["organisation_id"] == "org-ntu"
    assert registered["key"] == "res-alice"


async def test_registering_twice_is_409_and_writes_nothing_more(client, flow, events):
    await flow.register("res-alice")
    again = await client.post("/v1/researchers", json=PROFILE, headers=flow.researcher("res-alice"))
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert len(await events("srs.researcher.registered.v1")) == 1


async def test_bad_profile_is_422_with_field_errors(client, flow, events):
    bad = await client.post(
        "/v1/researchers",
        headers=flow.researcher("res-alice"),
        json={
            **PROFILE,
            "email": "not-an-address",
            "qualifications": {"degree": "phd"},
            "extra": 1,
        },
    )
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert {"body.email", "body.qualifications.degree", "body.extra"} <= fields
    assert await events() == []


async def test_only_researchers_register_and_need_a_researcher_id(client, flow, tokens):
    assert (
        await client.post("/v1/researchers", json=PROFILE, headers=flow.panel)
    ).status_code == 403
    assert (await client.post("/v1/researchers", json=PROFILE)).status_code == 401


async def test_read_is_own_support_or_same_organisation_partner(client, flow):
    await flow.register("res-alice", org="org-ntu")
    await flow.register("res-bob", org="org-ucl")
    url = "/v1/researchers/res-alice"
    assert (await client.get(url, headers=flow.researcher("res-alice"))).status_code == 200
    assert (await client.get(url, headers=flow.support)).status_code == 200
    assert (await client.get(url, headers=flow.partner("org-ntu"))).status_code == 200
    assert (await client.get(url, headers=flow.researcher("res-bob"))).status_code == 404
    assert (await client.get(url, headers=flow.partner("org-ucl"))).status_code == 404
    assert (await client.get(url, headers=flow.panel)).status_code == 404
    assert (await client.get("/v1/researchers/res-nobody", headers=flow.support)).status_code == 404


async def test_listing_is_scoped_by_role_and_paginated(client, flow):
    for rid, org in [("res-a", "org-ntu"), ("res-b", "org-ntu"), ("res-c", "org-ucl")]:
        await flow.register(rid, org=org)

    async def ids(headers, **params) -> list[str]:
        response = await client.get("/v1/researchers", headers=headers, params=params)
        assert response.status_code == 200, response.text
        return [r["id"] for r in response.json()["items"]]

    assert await ids(flow.support) == ["res-a", "res-b", "res-c"]
    assert await ids(flow.partner("org-ntu")) == ["res-a", "res-b"]
    assert await ids(flow.researcher("res-c")) == ["res-c"]
    first = (await client.get("/v1/researchers", headers=flow.support, params={"limit": 2})).json()
    assert [r["id"] for r in first["items"]] == ["res-a", "res-b"]
    assert await ids(flow.support, limit=2, cursor=first["next"]) == ["res-c"]


async def test_support_finds_researchers_by_part_of_name_email_or_id(client, flow):
    await flow.register("res-ada", name="Ada Lovelace", org="org-ntu")
    await flow.register("res-bob", name="Bob 100% Sure", org="org-ucl")

    async def found(headers, q: str) -> list[str]:
        response = await client.get("/v1/researchers", headers=headers, params={"q": q})
        assert response.status_code == 200, response.text
        return [r["id"] for r in response.json()["items"]]

    assert await found(flow.support, "LOVELACE") == ["res-ada"]
    assert await found(flow.support, "org-ucl.example") == ["res-bob"]  # the e-mail
    assert await found(flow.support, "res-") == ["res-ada", "res-bob"]
    assert await found(flow.support, "0%") == ["res-bob"]  # a wildcard is a character
    assert await found(flow.support, "%") == ["res-bob"]
    # The search never widens what a role sees.
    assert await found(flow.researcher("res-ada"), "bob") == []
    assert await found(flow.partner("org-ntu"), "res-") == ["res-ada"]
    too_long = await client.get("/v1/researchers", headers=flow.support, params={"q": "x" * 201})
    assert too_long.status_code == 422


async def test_a_researcher_edits_only_their_own_profile_and_each_change_is_published(
    client, flow, events
):
    await flow.register("res-alice")
    await flow.register("res-bob")
    edit = await client.patch(
        "/v1/researchers/res-alice",
        json={"email": "alice@new.example"},
        headers=flow.researcher("res-alice"),
    )
    assert edit.status_code == 200, edit.text
    assert edit.json()["email"] == "alice@new.example"
    [updated] = await events("srs.researcher.updated.v1")
    assert updated["email"] == "alice@new.example"
    assert (
        await client.patch(
            "/v1/researchers/res-alice",
            json={"name": "Mallory"},
            headers=flow.researcher("res-bob"),
        )
    ).status_code == 404
    assert (
        await client.patch(
            "/v1/researchers/res-alice", json={"name": "Mallory"}, headers=flow.support
        )
    ).status_code == 403
    unchanged = await client.get("/v1/researchers/res-alice", headers=flow.support)
    assert unchanged.json()["name"] != "Mallory"
    same = await client.patch(
        "/v1/researchers/res-alice",
        json={"email": "alice@new.example"},
        headers=flow.researcher("res-alice"),
    )
    assert same.status_code == 200
    assert len(await events("srs.researcher.updated.v1")) == 1


async def test_the_panel_sees_the_profiles_of_those_who_applied_to_it(client, flow):
    await flow.register("res-ada", name="Ada Lovelace")
    await flow.register("res-bob", name="Bob Drafter")
    for rid in ("res-ada", "res-bob"):
        drafted = await client.post(
            "/v1/applications",
            headers=flow.researcher(rid),
            json={"kind": "full", "training_completed_on": "2026-10-01"},
        )
        assert drafted.status_code == 201, drafted.text
        if rid == "res-ada":
            submitted = await client.post(
                f"/v1/applications/{drafted.json()['id']}/submit", headers=flow.researcher(rid)
            )
            assert submitted.status_code == 200, submitted.text
    ada = await client.get("/v1/researchers/res-ada", headers=flow.panel)
    assert ada.status_code == 200
    assert ada.json()["qualifications"]["degree_quantitative"] is True
    held = await client.get("/v1/researchers/res-ada/accreditations", headers=flow.panel)
    assert held.status_code == 200
    # A draft is not the panel's business yet: Bob stays hidden from it.
    assert (await client.get("/v1/researchers/res-bob", headers=flow.panel)).status_code == 404
    listed = await client.get("/v1/researchers", headers=flow.panel)
    assert [r["id"] for r in listed.json()["items"]] == ["res-ada"]
