"""Every partner-reachable route: a client without the route's scope gets 403, a client
of another organisation gets 404 (or an empty list), its own organisation's client sees
the data. And a partner's retried writes (Idempotency-Key): one resource, one answer."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest

from srs_common.contracts import access as access_contracts
from srs_common.contracts import accreditation as accreditation_contracts
from srs_common.contracts import projects as project_contracts

ALL_SCOPES = (
    "researchers:read applications:read applications:write projects:read "
    "outputs:read webhooks:manage"
)
TRAINED_ON = (dt.date.today() - dt.timedelta(days=30)).isoformat()
QUANTITATIVE = {"degree": "masters", "degree_quantitative": True, "quantitative_research_years": 0}


def partner(tokens, org: str, scope: str = ALL_SCOPES) -> dict[str, str]:
    return tokens.headers("partner", sub=f"cli-{org}", org=org, scope=scope)


def without(scope: str) -> str:
    return " ".join(s for s in ALL_SCOPES.split() if s != scope)


async def accredited_researcher(
    client: httpx.AsyncClient, tokens, rid: str, org: str
) -> dict[str, str]:
    """Register, apply, submit and approve; returns the ids the routes need."""
    me = tokens.headers("researcher", researcher_id=rid, org=org)
    registered = await client.post(
        "/v1/researchers",
        headers=me,
        json={
            "name": f"Researcher {rid}",
            "email": f"{rid}@{org}.example",
            "organisation_id": org,
            "qualifications": QUANTITATIVE,
        },
    )
    assert registered.status_code == 201, registered.text
    application = (
        await client.post(
            "/v1/applications",
            headers=me,
            json={"kind": "full", "training_completed_on": TRAINED_ON},
        )
    ).json()
    submitted = await client.post(f"/v1/applications/{application['id']}/submit", headers=me)
    assert submitted.status_code == 200, submitted.text
    approved = await client.post(
        f"/v1/applications/{application['id']}/approve",
        headers=tokens.headers("panel", sub="panel-1"),
        json={"reason": "meets the criteria"},
    )
    assert approved.status_code == 200, approved.text
    draft = (
        await client.post(
            "/v1/applications",
            headers=me,
            json={"kind": "full", "training_completed_on": TRAINED_ON},
        )
    ).json()
    return {
        "rid": rid,
        "app": application["id"],
        "acc": approved.json()["accreditation_id"],
        "draft": draft["id"],
    }


# route -> the scope a partner needs; each answers 404 to another organisation's client.
ACCREDITATION_ROUTES = [
    ("GET", "/v1/researchers/{rid}", None, "researchers:read"),
    ("GET", "/v1/researchers/{rid}/accreditations", None, "researchers:read"),
    ("GET", "/v1/accreditations/{acc}", None, "researchers:read"),
    ("GET", "/v1/applications/{app}", None, "applications:read"),
    (
        "POST",
        "/v1/applications",
        {"kind": "full", "researcher_id": "{rid}", "training_completed_on": TRAINED_ON},
        "applications:write",
    ),
    ("POST", "/v1/applications/{draft}/submit", None, "applications:write"),
]


@pytest.fixture
async def accreditation(service_client, tokens):
    async with service_client("accreditation") as client:
        client.ids = await accredited_researcher(client, tokens, "res-ntu", "org-ntu")
        yield client


def _fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize(
    ("method", "path", "body", "scope"),
    ACCREDITATION_ROUTES,
    ids=[f"{m} {p}" for m, p, _, _ in ACCREDITATION_ROUTES],
)
async def test_accreditation_route_needs_its_scope_and_the_organisation(
    accreditation, tokens, method, path, body, scope
) -> None:
    url, json = _fill(path, accreditation.ids), _fill(body, accreditation.ids)

    async def call(headers):
        return await accreditation.request(method, url, json=json, headers=headers)

    no_scope = await call(partner(tokens, "org-ntu", without(scope)))
    assert no_scope.status_code == 403 and scope in no_scope.json()["detail"]
    other_org = await call(partner(tokens, "org-other"))
    assert other_org.status_code == 404, other_org.text
    own = await call(partner(tokens, "org-ntu"))
    assert own.status_code in (200, 201), own.text


@pytest.mark.parametrize(
    ("path", "scope"),
    [("/v1/researchers", "researchers:read"), ("/v1/applications", "applications:read")],
)
async def test_accreditation_lists_show_only_the_partners_organisation(
    accreditation, tokens, path, scope
) -> None:
    assert (
        await accreditation.get(path, headers=partner(tokens, "org-ntu", without(scope)))
    ).status_code == 403
    own = (await accreditation.get(path, headers=partner(tokens, "org-ntu"))).json()["items"]
    assert own and all(item.get("researcher_id", item["id"]) == "res-ntu" for item in own)
    assert (await accreditation.get(path, headers=partner(tokens, "org-other"))).json()[
        "items"
    ] == []


async def test_partners_never_act_as_the_panel_or_the_applicant(accreditation, tokens) -> None:
    ids, ntu = accreditation.ids, partner(tokens, "org-ntu")
    for method, url in [
        ("POST", f"/v1/applications/{ids['app']}/approve"),
        ("POST", f"/v1/applications/{ids['draft']}/withdraw"),
        ("PATCH", f"/v1/applications/{ids['draft']}"),
        ("POST", f"/v1/accreditations/{ids['acc']}/suspend"),
    ]:
        response = await accreditation.request(method, url, headers=ntu, json={"reason": "x"})
        assert response.status_code in (403, 422), (url, response.text)
        assert response.status_code != 422 or method == "PATCH"
    # A partner must name the researcher; a researcher may not apply for another.
    unnamed = await accreditation.post("/v1/applications", headers=ntu, json={"kind": "full"})
    assert unnamed.status_code == 422 and unnamed.json()["rule"] == "researcher_id_required"
    someone_else = await accreditation.post(
        "/v1/applications",
        json={"kind": "full", "researcher_id": "res-ntu"},
        headers=tokens.headers("researcher", researcher_id="res-other", org="org-ntu"),
    )
    assert someone_else.status_code == 422 and someone_else.json()["rule"] == "own_application"


APPLICATION_FOR_A_PROJECT = {
    "title": "Burglary security effectiveness",
    "lay_summary": "Which home security measures protect against burglary.",
    "public_benefit": "Evidence for crime prevention advice.",
    "organisation_id": "org-ntu",
    "legal_gateway": "DEA",
    "dataset_ids": ["ds-csew-2019"],
    "expected_start_date": str(dt.date.today() + dt.timedelta(days=30)),
    "expected_end_date": str(dt.date.today() + dt.timedelta(days=400)),
    "ethics_confirmed": True,
    "data_source_acknowledged": True,
}


async def test_project_routes_need_projects_read_and_the_organisation(
    service_client, tokens, deliver
) -> None:
    async with service_client("projects") as client:
        today = dt.date.today()
        await deliver(
            client,
            accreditation_contracts.AccreditationGranted(
                accreditation_id="acc-res-ntu",
                researcher_id="res-ntu",
                organisation_id="org-ntu",
                kind="full",
                status="current",
                valid_from=today - dt.timedelta(days=10),
                valid_until=today + dt.timedelta(days=1000),
                occurred_at=dt.datetime.now(dt.UTC),
            ),
            subject="res-ntu",
            source="/srs/accreditation",
        )
        created = await client.post(
            "/v1/projects",
            json=APPLICATION_FOR_A_PROJECT,
            headers=tokens.headers("researcher", researcher_id="res-ntu"),
        )
        assert created.status_code == 201, created.text
        project_id = created.json()["id"]
        for path in (f"/v1/projects/{project_id}", f"/v1/projects/{project_id}/extensions"):
            no_scope = await client.get(
                path, headers=partner(tokens, "org-ntu", without("projects:read"))
            )
            assert no_scope.status_code == 403 and "projects:read" in no_scope.json()["detail"]
            assert (await client.get(path, headers=partner(tokens, "org-other"))).status_code == 404
            assert (await client.get(path, headers=partner(tokens, "org-ntu"))).status_code == 200
        listed = await client.get("/v1/projects", headers=partner(tokens, "org-ntu"))
        assert [p["id"] for p in listed.json()["items"]] == [project_id]
        assert (await client.get("/v1/projects", headers=partner(tokens, "org-other"))).json()[
            "items"
        ] == []
        assert (
            await client.get(
                "/v1/projects", headers=partner(tokens, "org-ntu", without("projects:read"))
            )
        ).status_code == 403


async def test_output_routes_show_statuses_to_the_organisation_never_contents(
    service_client, tokens, deliver, tmp_path
) -> None:
    now = dt.datetime.now(dt.UTC)
    async with service_client("clearance", outputs_dir=tmp_path / "outputs") as client:
        await deliver(
            client,
            access_contracts.DatasetCatalogued(
                dataset_id="ds-csew-2019",
                title="CSEW",
                owner="ONS",
                access_level="home",
                disclosure_threshold=10,
                occurred_at=now,
            ),
            subject="ds-csew-2019",
        )
        await deliver(
            client,
            project_contracts.ProjectApproved(
                project_id="prj_a",
                title="A project",
                organisation_id="org-ntu",
                legal_gateway="DEA",
                dataset_ids=["ds-csew-2019"],
                members=[project_contracts.ProjectMember(researcher_id="res-ntu", role="lead")],
                expected_end_date=dt.date.today() + dt.timedelta(days=300),
                priority=False,
                approved_at=now,
            ),
            subject="prj_a",
        )
        await deliver(
            client,
            project_contracts.ProjectActivated(
                project_id="prj_a",
                organisation_id="org-ntu",
                dataset_ids=["ds-csew-2019"],
                occurred_at=now,
            ),
            subject="prj_a",
        )
        lead = tokens.headers("researcher", researcher_id="res-ntu")
        output = (
            await client.post(
                "/v1/outputs",
                headers=lead,
                json={"project_id": "prj_a", "kind": "pre_publication", "title": "By region"},
            )
        ).json()
        group = (
            await client.post(
                f"/v1/outputs/{output['id']}/groups",
                headers=lead,
                json={
                    "name": "Table 1",
                    "context": "Burglary victims by region",
                    "controls": "all counts above 10",
                },
            )
        ).json()
        uploaded = await client.post(
            f"/v1/outputs/{output['id']}/groups/{group['id']}/files",
            headers=lead,
            files={"file": ("t1.csv", b"region,year,count\nNorth,2021,120\nSouth,2021,40\n")},
        )
        assert uploaded.status_code == 201, uploaded.text
        submitted = await client.post(f"/v1/outputs/{output['id']}/submit", headers=lead)
        assert submitted.status_code == 200, submitted.text

        status_path = f"/v1/outputs/{output['id']}/status"
        no_scope = partner(tokens, "org-ntu", without("outputs:read"))
        for path in (status_path, "/v1/outputs"):
            refused = await client.get(path, headers=no_scope)
            assert refused.status_code == 403 and "outputs:read" in refused.json()["detail"]
        own = await client.get(status_path, headers=partner(tokens, "org-ntu"))
        assert own.status_code == 200 and own.json()["status"] == submitted.json()["status"]
        assert (
            await client.get(status_path, headers=partner(tokens, "org-other"))
        ).status_code == 404
        listed = await client.get("/v1/outputs", headers=partner(tokens, "org-ntu"))
        assert [o["id"] for o in listed.json()["items"]] == [output["id"]]
        assert (await client.get("/v1/outputs", headers=partner(tokens, "org-other"))).json()[
            "items"
        ] == []
        # Contents and files stay invisible even to the organisation's own client.
        file_id = uploaded.json()["id"]
        for suffix in ("", "/comments", f"/files/{file_id}"):
            hidden = await client.get(
                f"/v1/outputs/{output['id']}{suffix}", headers=partner(tokens, "org-ntu")
            )
            assert hidden.status_code == 404, suffix


async def _applications(client, tokens) -> list[dict]:
    listed = await client.get(
        "/v1/applications?limit=200", headers=tokens.headers("support", sub="support-1")
    )
    return listed.json()["items"]


async def test_a_retried_post_returns_the_first_response_and_creates_one_application(
    service_client, tokens
) -> None:
    async with service_client("accreditation") as client:
        await accredited_researcher(client, tokens, "res-ntu", "org-ntu")
        before = len(await _applications(client, tokens))
        body = {"kind": "full", "researcher_id": "res-ntu", "training_completed_on": TRAINED_ON}
        headers = {**partner(tokens, "org-ntu"), "Idempotency-Key": "apply-res-ntu-1"}
        first = await client.post("/v1/applications", json=body, headers=headers)
        retry = await client.post("/v1/applications", json=body, headers=headers)
        assert first.status_code == retry.status_code == 201
        assert retry.content == first.content
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert len(await _applications(client, tokens)) == before + 1

        changed = await client.post(
            "/v1/applications", headers=headers, json={**body, "statement": "something else"}
        )
        assert changed.status_code == 422 and "different request" in changed.json()["detail"]
        assert len(await _applications(client, tokens)) == before + 1


async def test_fifty_concurrent_retries_with_one_key_create_one_application(
    service_client, tokens
) -> None:
    async with service_client("accreditation") as client:
        await accredited_researcher(client, tokens, "res-ntu", "org-ntu")
        before = len(await _applications(client, tokens))
        body = {"kind": "full", "researcher_id": "res-ntu", "training_completed_on": TRAINED_ON}
        headers = {**partner(tokens, "org-ntu"), "Idempotency-Key": "apply-res-ntu-burst"}
        responses = await asyncio.gather(
            *[client.post("/v1/applications", json=body, headers=headers) for _ in range(50)]
        )
        statuses = [r.status_code for r in responses]
        # Each is the stored 201 or "still in progress, retry" (409): never a second effect.
        assert set(statuses) <= {201, 409} and 201 in statuses, statuses
        created = {r.json()["id"] for r in responses if r.status_code == 201}
        assert len(created) == 1
        assert len(await _applications(client, tokens)) == before + 1
        late = await client.post("/v1/applications", json=body, headers=headers)
        assert late.status_code == 201 and late.json()["id"] in created
