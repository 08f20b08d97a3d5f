"""Dataset requirements: support sets a supplementary form on a catalogue entry; it
travels in ``dataset.catalogued`` to the projects service."""

from __future__ import annotations

FORM = {
    "key": "ls_supplementary_form",
    "name": "LS supplementary form",
    "questions": [
        {"key": "sector", "label": "Sector", "choices": ["academic", "public"]},
        {"key": "census_years", "label": "Census years", "hint": "1971 to 2011"},
    ],
}


async def test_support_sets_a_form_which_is_published_with_the_catalogue_entry(
    client, tokens, world
):
    await world.seed()
    support = tokens.headers("support")
    response = await client.put(
        "/v1/datasets/ds-csew-2019/requirements", json={"requirements": [FORM]}, headers=support
    )
    assert response.status_code == 200, response.text
    [requirement] = response.json()["requirements"]
    # The team that accepts it defaults to the dataset's owner.
    assert requirement["accepted_by"] == "ONS"
    assert requirement["kind"] == "supplementary_form"
    assert [q["key"] for q in requirement["questions"]] == ["sector", "census_years"]
    _, published = (await world.outbox("srs.dataset.catalogued.v1"))[-1]
    assert published["dataset_id"] == "ds-csew-2019"
    assert published["requirements"][0]["name"] == "LS supplementary form"
    assert published["requirements"][0]["accepted_by"] == "ONS"
    # A later change of the dataset's settings keeps its requirements.
    changed = await client.put(
        "/v1/datasets/ds-csew-2019",
        json={
            "title": "Crime Survey 2019",
            "owner": "ONS",
            "access_level": "home",
            "disclosure_threshold": 10,
        },
        headers=support,
    )
    assert changed.json()["requirements"][0]["key"] == "ls_supplementary_form"
    _, again = (await world.outbox("srs.dataset.catalogued.v1"))[-1]
    assert again["requirements"][0]["key"] == "ls_supplementary_form"
    cleared = await client.put(
        "/v1/datasets/ds-csew-2019/requirements", json={"requirements": []}, headers=support
    )
    assert cleared.json()["requirements"] == []


async def test_the_seed_gives_the_longitudinal_study_its_supplementary_form(client, tokens, world):
    await world.seed()
    ls = await client.get(
        "/v1/datasets/ds-ons-ls", headers=tokens.headers("researcher", researcher_id="res-x")
    )
    assert ls.status_code == 200
    [form] = ls.json()["requirements"]
    assert form["name"] == "LS supplementary form" and form["accepted_by"] == "ONS"
    assert "sector" in [q["key"] for q in form["questions"]]


async def test_only_support_sets_requirements_and_bad_ones_are_named(client, tokens, world):
    await world.seed()
    url = "/v1/datasets/ds-csew-2019/requirements"
    for role in ("researcher", "data_owner", "panel"):
        refused = await client.put(
            url, json={"requirements": [FORM]}, headers=tokens.headers(role, org="ONS")
        )
        assert refused.status_code == 403, role
    support = tokens.headers("support")
    missing = await client.put(
        "/v1/datasets/ds-nope/requirements", json={"requirements": [FORM]}, headers=support
    )
    assert missing.status_code == 404
    duplicate = await client.put(
        url,
        json={"requirements": [{**FORM, "questions": [FORM["questions"][0]] * 2}]},
        headers=support,
    )
    assert duplicate.status_code == 422
    assert duplicate.headers["content-type"].startswith("application/problem+json")
    assert "own key" in duplicate.text
    unknown_kind = await client.put(
        url, json={"requirements": [{**FORM, "kind": "fee"}]}, headers=support
    )
    assert unknown_kind.status_code == 422
    assert "body.requirements.0.kind" in {e["field"] for e in unknown_kind.json()["errors"]}
