"""The Python client generated from the OpenAPI documents (tests/contract/client.py,
``make client``) round-trips every service's main routes against the service itself:
a request body built by the client's models is accepted, the answer parses into the
client's models, and an error parses into the typed Problem. A document that no longer
matches what the service does fails here."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from .client import CLIENT_DIR, build_all, package_name


def _security_tables(module: str) -> ModuleType:
    """A module of tests/security/tables (the seeded worlds the security suite builds),
    loaded by path: with pytest's importlib mode a sibling test folder is not a package
    this file can import relatively when the whole suite is collected."""
    package = "srs_security_tables"
    if package not in sys.modules:
        folder = Path(__file__).parents[1] / "security" / "tables"
        spec = importlib.util.spec_from_file_location(
            package, folder / "__init__.py", submodule_search_locations=[str(folder)]
        )
        assert spec is not None and spec.loader is not None
        sys.modules[package] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[package])
    return importlib.import_module(f"{package}.{module}")


PROJECT = _security_tables("clearance").PROJECT
active_project = _security_tables("clearance").active_project
APPLICATION = _security_tables("projects").APPLICATION
accredit = _security_tables("projects").accredit


@pytest.fixture(scope="module")
def generated() -> Callable[[str, str], ModuleType]:
    """``generated("projects", "api.projects.projects_read")``: a module of the client
    generated from the service's current document."""
    build_all()
    if str(CLIENT_DIR) not in sys.path:
        sys.path.insert(0, str(CLIENT_DIR))

    def module(service: str, name: str) -> ModuleType:
        return importlib.import_module(f"{package_name(service)}.{name}")

    return module


def bound(generated: Any, service: str, http: httpx.AsyncClient, token: str) -> Any:
    """The generated client, talking to the in-process service as the token's holder."""
    client = generated(service, "client").AuthenticatedClient(
        base_url=str(http.base_url), token=token
    )
    client.set_async_httpx_client(
        httpx.AsyncClient(
            transport=http._transport,
            base_url=http.base_url,
            headers={"Authorization": f"Bearer {token}"},
        )
    )
    return client


def problem_of(generated: Any, service: str, response: Any, status: int) -> Any:
    problem = response.parsed
    assert response.status_code == status, response.content
    assert isinstance(problem, generated(service, "models.problem").Problem), problem
    assert problem.status == status and problem.title
    return problem


async def test_accreditation_researchers_and_applications(generated, service_client, tokens):
    g = generated
    async with service_client("accreditation") as http:
        me = bound(
            g,
            "accreditation",
            http,
            tokens.token("researcher", researcher_id="res-gen", org="org-a"),
        )
        body = g("accreditation", "models.researcher_create").ResearcherCreate.from_dict(
            {
                "name": "Generated Client",
                "email": "gen@org-a.example",
                "organisation_id": "org-a",
                "qualifications": {
                    "degree": "masters",
                    "degree_quantitative": True,
                    "quantitative_research_years": 0,
                },
            }
        )
        created = await g("accreditation", "api.researchers.researchers_register").asyncio_detailed(
            client=me, body=body
        )
        assert created.status_code == 201, created.content
        read = await g("accreditation", "api.researchers.researchers_read").asyncio_detailed(
            "res-gen", client=me
        )
        assert read.parsed.id == "res-gen" and read.parsed.name == "Generated Client"

        trained = (dt.date.today() - dt.timedelta(days=30)).isoformat()
        application = g("accreditation", "models.application_create").ApplicationCreate.from_dict(
            {"kind": "full", "training_completed_on": trained}
        )
        api = "api.applications.applications_"
        created = await g("accreditation", api + "create").asyncio_detailed(
            client=me, body=application
        )
        assert created.status_code == 201, created.content
        read = await g("accreditation", api + "read").asyncio_detailed(created.parsed.id, client=me)
        assert read.parsed.id == created.parsed.id and read.parsed.status == "draft"

        missing = await g("accreditation", api + "read").asyncio_detailed("app-none", client=me)
        problem_of(g, "accreditation", missing, 404)


async def test_projects_create_and_read(generated, service_client, tokens, deliver):
    g = generated
    async with service_client("projects") as http:
        await accredit(http, deliver, "res-gen")
        lead = bound(
            g, "projects", http, tokens.token("researcher", researcher_id="res-gen", org="org-a")
        )
        body = g("projects", "models.project_create").ProjectCreate.from_dict(APPLICATION)
        created = await g("projects", "api.projects.projects_create").asyncio_detailed(
            client=lead, body=body
        )
        assert created.status_code == 201, created.content
        read = await g("projects", "api.projects.projects_read").asyncio_detailed(
            created.parsed.id, client=lead
        )
        assert read.parsed.title == APPLICATION["title"]
        assert read.parsed.lead_researcher_id == "res-gen"

        # A transition the state machine refuses: the Problem names the current state.
        submit = g("projects", "api.projects.projects_submit")
        submitted = await submit.asyncio_detailed(created.parsed.id, client=lead)
        assert submitted.status_code == 200, submitted.content
        refused = await submit.asyncio_detailed(created.parsed.id, client=lead)
        assert problem_of(g, "projects", refused, 409).current_state == "submitted"


async def test_clearance_outputs_create_and_read(
    generated, service_client, tokens, deliver, tmp_path
):
    g = generated
    async with service_client("clearance", outputs_dir=tmp_path / "outputs") as http:
        await active_project(http, deliver)
        owner = bound(g, "clearance", http, tokens.token("researcher", researcher_id="res-owner"))
        body = g("clearance", "models.output_create").OutputCreate.from_dict(
            {"project_id": PROJECT, "kind": "pre_publication", "title": "Burglary by region"}
        )
        created = await g("clearance", "api.clearance.clearance_create_output").asyncio_detailed(
            client=owner, body=body
        )
        assert created.status_code == 201, created.content
        read = await g("clearance", "api.clearance.clearance_read_output").asyncio_detailed(
            created.parsed.id, client=owner
        )
        assert read.parsed.title == "Burglary by region"


async def test_access_organisations_create_and_read(generated, service_client, tokens):
    g = generated
    async with service_client("access") as http:
        support = bound(g, "access", http, tokens.token("support"))
        body = g("access", "models.organisation_create").OrganisationCreate.from_dict(
            {"id": "org-gen", "name": "Generated Org", "contact_email": "dp@gen.example"}
        )
        api = "api.catalogue.catalogue_"
        created = await g("access", api + "create_organisation").asyncio_detailed(
            client=support, body=body
        )
        assert created.status_code == 201, created.content
        read = await g("access", api + "read_organisation").asyncio_detailed(
            "org-gen", client=support
        )
        assert read.parsed.name == "Generated Org"


async def test_booking_declaration_sign_and_read(generated, service_client, tokens):
    g = generated
    async with service_client("booking") as http:
        me = bound(
            g, "booking", http, tokens.token("researcher", researcher_id="res-gen", org="org-a")
        )
        text = await g("booking", "api.booking.booking_read_declaration").asyncio_detailed(
            client=me
        )
        assert text.status_code == 200, text.content
        body = g("booking", "models.declaration_sign").DeclarationSign.from_dict(
            {"version": text.parsed.version}
        )
        signed = await g("booking", "api.booking.booking_sign_declaration").asyncio_detailed(
            client=me, body=body
        )
        assert signed.status_code in (200, 201), signed.content
        mine = await g("booking", "api.booking.booking_my_declaration").asyncio_detailed(client=me)
        assert mine.parsed.version == text.parsed.version
        sites = await g("booking", "api.booking.booking_list_sites").asyncio_detailed(client=me)
        assert sites.status_code == 200, sites.content


async def test_ops_webhook_subscriptions_create_and_read(generated, service_client, tokens):
    g = generated
    async with service_client("ops") as http:
        partner = bound(
            g,
            "ops",
            http,
            tokens.token("partner", sub="client-org-a", org="org-a", scope="webhooks:manage"),
        )
        body = g("ops", "models.subscription_create").SubscriptionCreate.from_dict(
            {"url": "https://hooks.org-a.example/srs", "event_types": ["srs.project.approved.v1"]}
        )
        api = "api.webhooks.webhooks_"
        created = await g("ops", api + "create_subscription").asyncio_detailed(
            client=partner, body=body
        )
        assert created.status_code == 201, created.content
        read = await g("ops", api + "read_subscription").asyncio_detailed(
            created.parsed.id, client=partner
        )
        assert read.parsed.event_types == ["srs.project.approved.v1"]


async def test_notify_preferences_update_and_read(generated, service_client, tokens):
    g = generated
    async with service_client("notify") as http:
        me = bound(
            g, "notify", http, tokens.token("researcher", researcher_id="res-gen", org="org-a")
        )
        read = await g("notify", "api.preferences.preferences_read_my").asyncio_detailed(client=me)
        assert read.status_code == 200, read.content
        body = g("notify", "models.preferences_update").PreferencesUpdate.from_dict(
            {"notices": {"booking_reminder": False}}
        )
        updated = await g("notify", "api.preferences.preferences_update_my").asyncio_detailed(
            client=me, body=body
        )
        assert updated.status_code == 200, updated.content
        again = await g("notify", "api.preferences.preferences_read_my").asyncio_detailed(client=me)
        reminders = [n for n in again.parsed.notices if n.notice == "booking_reminder"]
        assert reminders and reminders[0].enabled is False

        refused = await g("notify", "api.preferences.preferences_update_my").asyncio_detailed(
            client=me,
            body=g("notify", "models.preferences_update").PreferencesUpdate.from_dict(
                {"notices": {"booking_cancelled": False}}
            ),
        )
        problem_of(g, "notify", refused, 422)
