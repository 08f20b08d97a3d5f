"""Accreditation: researcher profiles, applications, accreditations, public register.

Seed: researcher ``res-owner`` of ``org-a``, registered, applied, approved by the panel
(one application, one current accreditation)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import COMMON, Listing, Only, Public, Seeded

EXPECTED: dict[str, Any] = {
    **COMMON,
    "GET /v1/audit/accreditation": Listing("support", "ops"),
    "GET /v1/audit/accreditation/verification": Only("support", "ops", reads=True),
    # Registering creates the caller's own profile, never another's.
    "POST /v1/researchers": Only("researcher"),
    # The panel sees the profiles of those who applied to it (owner A has).
    "GET /v1/researchers": Listing("support", "panel"),
    "GET /v1/researchers/{researcher_id}": Only("support", "panel", reads=True),
    "PATCH /v1/researchers/{researcher_id}": Only(),
    "GET /v1/researchers/{researcher_id}/accreditations": Only("support", "panel", reads=True),
    # A researcher's organisation comes from their identity; only support moves them.
    "POST /v1/researchers/{researcher_id}/organisation": Only(
        "support",
        body={"organisation_id": "org-c", "reason": "moved to org-c (support, with evidence)"},
    ),
    "GET /v1/researchers/{researcher_id}/organisation-changes": Only("support", reads=True),
    # Drafting for owner A: researcher B may apply only for themself (422
    # own_application), a partner of another organisation cannot see A (404).
    "POST /v1/applications": Only(
        refusals=(403, 404, 422),
        body={"kind": "full", "training_completed_on": "2026-10-01", "researcher_id": "res-owner"},
    ),
    "GET /v1/applications": Listing("support", "panel"),
    "GET /v1/applications/{application_id}": Only("support", "panel", reads=True),
    "PATCH /v1/applications/{application_id}": Only(),
    "POST /v1/applications/{application_id}/submit": Only(),
    "POST /v1/applications/{application_id}/withdraw": Only(),
    "POST /v1/applications/{application_id}/approve": Only("panel"),
    "POST /v1/applications/{application_id}/reject": Only("panel"),
    "POST /v1/applications/{application_id}/request-information": Only("panel"),
    "GET /v1/accreditations/{accreditation_id}": Only("support", "panel", reads=True),
    "POST /v1/accreditations/{accreditation_id}/suspend": Only("support"),
    "POST /v1/accreditations/{accreditation_id}/reinstate": Only("support"),
    "POST /v1/accreditations/{accreditation_id}/revoke": Only("support"),
    "GET /v1/register": Public("the public register of accredited researchers"),
    # The helpdesk: owner A's general request, answered by support (a checker, of the
    # Statistical Support Team, sees only output questions).
    "POST /v1/helpdesk/requests": Only("researcher"),
    "GET /v1/helpdesk/requests": Listing("support"),
    "GET /v1/helpdesk/queue": Listing("support"),
    "GET /v1/helpdesk/requests/{request_id}": Only("support", reads=True),
    "POST /v1/helpdesk/requests/{request_id}/replies": Only("support", body={"body": "hello"}),
    "POST /v1/helpdesk/requests/{request_id}/notes": Only("support", body={"body": "a note"}),
    "POST /v1/helpdesk/requests/{request_id}/resolve": Only("support", body={}),
    "POST /v1/helpdesk/requests/{request_id}/close": Only("support", body={}),
}


async def seed(client: Any, tokens: Any, deliver: Any) -> Seeded:
    owner = tokens.headers("researcher", researcher_id="res-owner", org="org-a")
    response = await client.post(
        "/v1/researchers",
        headers=owner,
        json={
            "name": "Owner A",
            "email": "owner@org-a.example",
            "organisation_id": "org-a",
            "qualifications": {
                "degree": "masters",
                "degree_quantitative": True,
                "quantitative_research_years": 0,
            },
        },
    )
    assert response.status_code == 201, response.text
    trained = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    response = await client.post(
        "/v1/applications", headers=owner, json={"kind": "full", "training_completed_on": trained}
    )
    assert response.status_code == 201, response.text
    application_id = response.json()["id"]
    response = await client.post(f"/v1/applications/{application_id}/submit", headers=owner)
    assert response.status_code == 200, response.text
    response = await client.post(
        f"/v1/applications/{application_id}/approve",
        headers=tokens.headers("panel", sub="panel-a"),
        json={"reason": "meets the criteria"},
    )
    assert response.status_code == 200, response.text
    accreditation_id = response.json()["accreditation_id"]
    response = await client.post(
        "/v1/helpdesk/requests",
        headers=owner,
        json={"subject": "Cannot sign in", "message": "My token expired.", "category": "general"},
    )
    assert response.status_code == 201, response.text
    request_id = response.json()["id"]
    return Seeded(
        params={
            "researcher_id": "res-owner",
            "application_id": application_id,
            "accreditation_id": accreditation_id,
            "request_id": request_id,
        },
        secrets={"res-owner", application_id, accreditation_id, request_id},
    )
