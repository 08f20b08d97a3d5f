"""Dataset catalogue and organisations: who maintains them, what they publish."""

from __future__ import annotations

import datetime as dt

NEW = {
    "id": "ds-lfs-2023",
    "title": "Labour Force Survey 2023",
    "owner": "ONS",
    "access_level": "aoc_office",
    "disclosure_threshold": 5,
    "operational_id_columns": ["caseno"],
}


async def test_support_catalogues_a_dataset_and_booking_and_clearance_hear_of_it(
    client, tokens, world
):
    created = await client.post("/v1/datasets", json=NEW, headers=tokens.headers("support"))
    assert created.status_code == 201, created.text
    assert created.json()["access_level"] == "aoc_office"
    changed = await client.put(
        "/v1/datasets/ds-lfs-2023",
        json={
            **{k: v for k, v in NEW.items() if k != "id"},
            "access_level": "home",
            "disclosure_threshold": 20,
        },
        headers=tokens.headers("support"),
    )
    assert changed.status_code == 200, changed.text
    events = await world.outbox("srs.dataset.catalogued.v1")
    assert [(p["access_level"], p["disclosure_threshold"]) for _, p in events] == [
        ("aoc_office", 5),
        ("home", 20),
    ]
    browsed = await client.get(
        "/v1/datasets/ds-lfs-2023", headers=tokens.headers("researcher", researcher_id="res-x")
    )
    assert browsed.json()["access_level"] == "home"


async def test_researchers_browse_but_cannot_change_the_catalogue(client, tokens, world):
    await world.seed()
    alice = tokens.headers("researcher", researcher_id="res-alice")
    page = await client.get("/v1/datasets?limit=3", headers=alice)
    assert page.status_code == 200
    assert len(page.json()["items"]) == 3 and page.json()["next"]
    rest = await client.get(f"/v1/datasets?cursor={page.json()['next']}", headers=alice)
    assert [d["id"] for d in rest.json()["items"]] == ["ds-mortality-2020", "ds-ons-ls"]
    assert (await client.post("/v1/datasets", json=NEW, headers=alice)).status_code == 403
    assert (
        await client.put("/v1/datasets/ds-csew-2019", json=NEW, headers=alice)
    ).status_code == 403
    assert (await client.get("/v1/datasets")).status_code == 401


async def test_duplicate_unknown_and_invalid_datasets_are_4xx(client, tokens):
    support = tokens.headers("support")
    await client.post("/v1/datasets", json=NEW, headers=support)
    again = await client.post("/v1/datasets", json=NEW, headers=support)
    assert again.status_code == 409
    missing = await client.put(
        "/v1/datasets/ds-nope", json={k: v for k, v in NEW.items() if k != "id"}, headers=support
    )
    assert missing.status_code == 404
    bad = await client.post(
        "/v1/datasets",
        json={**NEW, "access_level": "anywhere", "disclosure_threshold": 0},
        headers=support,
    )
    assert bad.status_code == 422
    assert {"body.access_level", "body.disclosure_threshold"} <= {
        e["field"] for e in bad.json()["errors"]
    }


async def test_seed_publishes_through_the_catalogue_once(client, world):
    await world.seed()
    await world.seed()
    events = await world.outbox("srs.dataset.catalogued.v1")
    # The Longitudinal Study is catalogued, then given its supplementary form: two events.
    assert sorted(p["dataset_id"] for _, p in events) == [
        "ds-ashe-2021",
        "ds-csew-2019",
        "ds-idbr-2022",
        "ds-mortality-2020",
        "ds-ons-ls",
        "ds-ons-ls",
    ]
    levels = {p["dataset_id"]: p["access_level"] for _, p in events}
    assert levels["ds-csew-2019"] == "home" and levels["ds-idbr-2022"] == "safe_setting"


async def test_organisations_and_their_agreements(client, tokens):
    support = tokens.headers("support")
    body = {"id": "org-legacy", "name": "Legacy Institute", "legacy_remote_access": True}
    created = await client.post("/v1/organisations", json=body, headers=support)
    assert created.status_code == 201, created.text
    assert created.json()["agreement_current"] is False
    updated = await client.put(
        "/v1/organisations/org-legacy",
        headers=support,
        json={
            "name": "Legacy Institute",
            "legacy_remote_access": False,
            "aoc_certified_until": str(dt.date.today() + dt.timedelta(days=30)),
        },
    )
    assert updated.json()["agreement_current"] is True
    own = tokens.headers("researcher", researcher_id="res-l", org="org-legacy")
    other = tokens.headers("researcher", researcher_id="res-o", org="org-other")
    assert (await client.get("/v1/organisations/org-legacy", headers=own)).status_code == 200
    assert (await client.get("/v1/organisations/org-legacy", headers=other)).status_code == 404
    assert (await client.get("/v1/organisations", headers=own)).status_code == 403
    assert (
        await client.post("/v1/organisations", json={**body, "id": "org-z"}, headers=own)
    ).status_code == 403
    assert (await client.get("/v1/organisations", headers=tokens.headers("ops"))).status_code == 200
