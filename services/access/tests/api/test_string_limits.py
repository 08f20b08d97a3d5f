"""Every string of an access request body fits the column it is stored in: an over-long
value is a 422 naming the field, never a database error (PostgreSQL refuses what SQLite
would store). Run with TEST_DATABASE_URL set for PostgreSQL."""

from __future__ import annotations

import pytest

HOME_FORM = {
    "project_ids": ["prj-1"],
    "researcher_ids": ["res-alice"],
    "importance_to_government": "Evaluates COVID-19 business support for HM Treasury.",
    "urgency_and_impact_of_delay": "Due to ministers in January; delay stops the review.",
    "organisation_machine_over_vpn": True,
    "organisation_agreement_confirmed": True,
}

# route, role, body, the field made too long (JSON path as the error names it)
CASES = [
    (
        "/v1/access-decisions",
        "support",
        {
            "researcher_id": "res-alice",
            "project_id": "p" * 41,
            "setting": "office",
            "country": "GB",
        },
        "body.project_id",
    ),
    (
        "/v1/access-decisions",
        "support",
        {"researcher_id": "r" * 101, "project_id": "prj-1", "setting": "office", "country": "GB"},
        "body.researcher_id",
    ),
    (
        "/v1/home-working-requests",
        "researcher",
        {**HOME_FORM, "project_ids": ["p" * 41]},
        "body.project_ids.0",
    ),
    (
        "/v1/home-working-requests",
        "researcher",
        {**HOME_FORM, "researcher_ids": ["r" * 101]},
        "body.researcher_ids.0",
    ),
    (
        "/v1/datasets",
        "support",
        {
            "id": "ds-x",
            "title": "X",
            "owner": "ONS",
            "access_level": "home",
            "operational_id_columns": ["c" * 101],
        },
        "body.operational_id_columns.0",
    ),
    (
        "/v1/datasets",
        "support",
        {"id": "d" * 101, "title": "X", "owner": "ONS", "access_level": "home"},
        "body.id",
    ),
    ("/v1/organisations", "support", {"id": "org-x", "name": "n" * 301}, "body.name"),
    (
        "/v1/clients",
        "support",
        {"organisation_id": "o" * 101, "name": "NTU", "scopes": ["researchers:read"]},
        "body.organisation_id",
    ),
]


@pytest.mark.parametrize(
    ("path", "role", "body", "field"), CASES, ids=[f"{c[0]}:{c[3]}" for c in CASES]
)
async def test_an_over_long_string_is_422_naming_the_field(client, tokens, path, role, body, field):
    headers = (
        tokens.headers(role, researcher_id="res-alice", org="org-ntu")
        if role == "researcher"
        else tokens.headers(role)
    )
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 422, response.text[:500]
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in {e["field"] for e in response.json()["errors"]}, response.text[:500]
