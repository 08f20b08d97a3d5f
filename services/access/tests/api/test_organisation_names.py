"""The public directory of organisations: every organisation's id and name for pages
to show names rather than ids; nothing of its agreement or contact."""

from __future__ import annotations

import datetime as dt


async def test_anyone_reads_organisations_names_and_nothing_else(client, tokens):
    created = await client.post(
        "/v1/organisations",
        headers=tokens.headers("support"),
        json={
            "id": "org-secret-contact",
            "name": "Aardvark Institute",
            "contact_email": "contracts@aardvark.example",
            "aoc_certified_until": str(dt.date.today() + dt.timedelta(days=30)),
        },
    )
    assert created.status_code == 201, created.text
    for headers in ({}, tokens.headers("researcher", researcher_id="res-x", org="org-other")):
        listed = await client.get("/v1/organisation-names", headers=headers)
        assert listed.status_code == 200, listed.text
        entries = listed.json()
        assert {"id": "org-secret-contact", "name": "Aardvark Institute"} in entries
        assert all(set(entry) == {"id", "name"} for entry in entries)
        assert "aardvark.example" not in listed.text  # no contact, no agreement
        assert [e["name"] for e in entries] == sorted(e["name"] for e in entries)
