"""Access: sign-in, the dataset catalogue, organisations, project spaces, access
decisions, the audit log, home working, ingestion, pseudonymisation.

Seed: the reference catalogue plus a home-level dataset of owner "ONS Health";
organisation ``org-a`` with a current agreement; ``res-owner`` accredited and lead of
active project ``prj_owner_a``; owner A's access decision (audited), home-working
request and ingestion request."""

from __future__ import annotations

import datetime as dt
from typing import Any

from srs_access.catalogue import catalogue_dataset
from srs_access.domain import AccessLevel
from srs_access.models import Organisation
from srs_access.seed import seed_catalogue
from srs_common.contracts import accreditation as acc
from srs_common.contracts import projects as prj

from . import COMMON, Listing, Only, Public, Seeded

PROJECT = "prj_owner_a"
SIGNED_IN = ("researcher", "panel", "checker", "support", "ops", "partner", "data_owner")
OWN_STANDING = (403, 404, 422)
INGESTION = {"request_id": "ingestion_id"}  # {request_id} of an ingestion request

EXPECTED: dict[str, Any] = {
    **COMMON,
    "GET /.well-known/jwks.json": Public("the issuer's public keys"),
    "POST /v1/auth/token": Public("sign-in: credentials in, token out"),
    "GET /.well-known/openid-configuration": Public("OpenID Connect discovery"),
    "GET /oidc/userinfo": Only(*SIGNED_IN, reads=True),  # the caller's own claims only
    # A new confirmation link for the caller's own account only (names no one else; 409
    # for an account with nothing to confirm, as every test token's is).
    "POST /oidc/verification-email": Only(*SIGNED_IN),
    "GET /v1/datasets": Listing(),
    "POST /v1/datasets": Only("support"),
    "GET /v1/datasets/{dataset_id}": Only(*SIGNED_IN, reads=True),
    "PUT /v1/datasets/{dataset_id}": Only("support"),
    "PUT /v1/datasets/{dataset_id}/requirements": Only("support"),
    "GET /v1/organisation-names": Public("organisations' names, as the sign-up page lists them"),
    "GET /v1/organisations": Listing("support", "ops"),
    # Names of staff logins for staff pages; a researcher or partner is refused.
    "GET /v1/staff-names": Only("panel", "checker", "support", "ops", "data_owner"),
    "POST /v1/organisations": Only("support"),
    "GET /v1/organisations/{organisation_id}": Only("support", "ops", reads=True),
    "PUT /v1/organisations/{organisation_id}": Only("support"),
    "GET /v1/project-spaces/{project_id}": Only("support", "ops", reads=True),
    # The session gateway (support) asks for anyone; researcher B about owner A: 404.
    "POST /v1/access-decisions": Only(
        "support",
        body={
            "researcher_id": "res-owner",
            "project_id": PROJECT,
            "setting": "safe_room",
            "country": "GB",
            "site_id": "titchfield",
        },
    ),
    "GET /v1/audit/access": Listing("support", "ops"),
    "GET /v1/audit/access/verification": Only("support", "ops", reads=True),
    # Researcher B applying for owner A's project: not a member.
    "POST /v1/home-working-requests": Only(
        refusals=OWN_STANDING,
        body={
            "project_ids": [PROJECT],
            "researcher_ids": ["res-intruder"],
            "importance_to_government": "Evaluates business support for HM Treasury.",
            "urgency_and_impact_of_delay": "Due to ministers in January.",
            "organisation_machine_over_vpn": True,
            "organisation_agreement_confirmed": True,
        },
    ),
    # "Staff" reads in access are support and ops alike (as for organisations and spaces).
    "GET /v1/home-working-requests": Listing("support", "ops"),
    "GET /v1/home-working-requests/{request_id}": Only("support", "ops", reads=True),
    "POST /v1/home-working-requests/{request_id}/staff-approval": Only("support"),
    # data_owner B is not the owner of the request's datasets.
    "POST /v1/home-working-requests/{request_id}/owner-approval": Only(),
    "POST /v1/home-working-requests/{request_id}/refusal": Only("support"),
    "POST /v1/home-working-requests/{request_id}/revocation": Only("support"),
    "POST /v1/home-working-requests/{request_id}/syops-signature": Only(),
    # Multipart: a researcher member uploads; anyone else is refused before the body.
    "POST /v1/ingestion-requests": Only(refusals=OWN_STANDING),
    "GET /v1/ingestion-requests": Listing("support", "ops"),
    "GET /v1/ingestion-requests/{request_id}": Only(
        "support", "ops", reads=True, aliases=INGESTION
    ),
    "POST /v1/ingestion-requests/{request_id}/withdrawal": Only(aliases=INGESTION),
    "POST /v1/ingestion-requests/{request_id}/approval": Only("support", aliases=INGESTION),
    "POST /v1/ingestion-requests/{request_id}/refusal": Only("support", aliases=INGESTION),
    "POST /v1/ingestion-requests/{request_id}/transfer": Only("support", aliases=INGESTION),
    "POST /v1/pseudonymise": Only("support", refusals=OWN_STANDING),
    "POST /v1/clients": Only("support"),
    "GET /v1/clients": Listing("support"),
    "GET /v1/clients/{client_id}": Only("support", reads=True),
    "POST /v1/clients/{client_id}/rotate": Only("support"),
    "POST /v1/clients/{client_id}/revoke": Only("support"),
}


def settings_overrides(tmp_path: Any) -> dict[str, Any]:
    return {
        "ingestion_files_dir": tmp_path / "ingestion",
        "project_spaces_dir": tmp_path / "project-spaces",
    }


async def seed(client: Any, tokens: Any, deliver: Any) -> Seeded:
    now = dt.datetime.now(dt.UTC)
    async with client.runtime.db.transaction() as session:
        await seed_catalogue(session)
        await catalogue_dataset(
            session,
            dataset_id="ds-health-home",
            title="Health survey",
            owner="ONS Health",
            access_level=AccessLevel.home,
            disclosure_threshold=10,
            operational_id_columns=[],
            create=True,
        )
        session.add(
            Organisation(
                id="org-a",
                name="Org A",
                aoc_certified_until=now.date() + dt.timedelta(days=365),
                legacy_remote_access=False,
            )
        )
    datasets = ["ds-csew-2019", "ds-health-home"]
    await deliver(
        client,
        acc.AccreditationGranted(
            accreditation_id="acc-res-owner",
            researcher_id="res-owner",
            organisation_id="org-a",
            kind="full",
            status="current",
            valid_from=dt.date(2026, 1, 1),
            valid_until=now.date() + dt.timedelta(days=365),
            occurred_at=now,
        ),
        subject="res-owner",
    )
    await deliver(
        client,
        prj.ProjectApproved(
            project_id=PROJECT,
            title="Burglary",
            organisation_id="org-a",
            legal_gateway="DEA",
            dataset_ids=datasets,
            members=[prj.ProjectMember(researcher_id="res-owner", role="lead")],
            expected_end_date=now.date() + dt.timedelta(days=300),
            approved_at=now,
        ),
        subject=PROJECT,
    )
    await deliver(
        client,
        prj.ProjectActivated(
            project_id=PROJECT, organisation_id="org-a", dataset_ids=datasets, occurred_at=now
        ),
        subject=PROJECT,
    )
    owner = tokens.headers("researcher", researcher_id="res-owner", org="org-a")
    decision = await client.post(
        "/v1/access-decisions",
        headers=owner,
        json={
            "researcher_id": "res-owner",
            "project_id": PROJECT,
            "setting": "home",
            "country": "GB",
        },
    )
    assert decision.status_code == 201, decision.text
    home = await client.post(
        "/v1/home-working-requests",
        headers=owner,
        json={
            "project_ids": [PROJECT],
            "researcher_ids": ["res-owner"],
            "importance_to_government": "Evaluates business support for HM Treasury.",
            "urgency_and_impact_of_delay": "Due to ministers in January.",
            "organisation_machine_over_vpn": True,
            "organisation_agreement_confirmed": True,
        },
    )
    assert home.status_code == 201, home.text
    ingestion = await client.post(
        "/v1/ingestion-requests",
        headers=owner,
        data={"project_id": PROJECT, "kind": "code", "description": "Stata do-files"},
        files={"files": ("derive.do", b"gen x = 1\n")},
    )
    assert ingestion.status_code == 201, ingestion.text
    api_client = await client.post(
        "/v1/clients",
        headers=tokens.headers("support"),
        json={"organisation_id": "org-a", "name": "Org A integration", "scopes": ["projects:read"]},
    )
    assert api_client.status_code == 201, api_client.text
    request_id, ingestion_id = home.json()["id"], ingestion.json()["id"]
    client_id = api_client.json()["id"]
    return Seeded(
        params={
            "dataset_id": "ds-health-home",
            "organisation_id": "org-a",
            "project_id": PROJECT,
            "request_id": request_id,
            "ingestion_id": ingestion_id,
            "client_id": client_id,
        },
        secrets={request_id, ingestion_id, decision.json()["decision_id"], client_id},
    )
