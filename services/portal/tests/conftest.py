"""The portal in-process against the real access (OIDC provider), accreditation and
projects apps, each reached through its own host name over an ASGI transport."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from srs_access.seed import seed_catalogue, seed_demo_users
from srs_booking.seed import reference_sites
from srs_common.db import Database
from srs_common.testing import asgi_client, database_url_for, prepare_database, truncate_all
from srs_portal import MIGRATIONS_DIR
from srs_portal.models import Base
from srs_portal.settings import PortalSettings

PORTAL = "http://portal.test"
PROVIDER = "http://access.test"
SECRET = "portal-test-secret"


class Hosts(httpx.AsyncBaseTransport):
    """Each host name to an in-process app."""

    def __init__(self, apps: dict[str, Any]) -> None:
        self.transports = {host: httpx.ASGITransport(app=app) for host, app in apps.items()}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.transports[request.url.host].handle_async_request(request)


@pytest.fixture(scope="session")
def portal_database(srs_tmp: Path) -> str:
    url = database_url_for("portal", srs_tmp)
    prepare_database(url, MIGRATIONS_DIR)
    return url


@pytest.fixture
def make_world(service_client, portal_database, tokens, tmp_path):
    """``async with make_world(**access_settings) as world``: the portal
    (``world["portal"]``, a client as a browser is) with its provider and the services it
    calls; ``world["provider"]`` is the browser at the provider."""
    return contextlib.asynccontextmanager(
        lambda **access_settings: _world(
            service_client, portal_database, tokens, access_settings, tmp_path
        )
    )


@pytest.fixture
async def world(make_world) -> AsyncIterator[dict[str, Any]]:
    async with make_world() as world:
        yield world


async def _world(
    service_client, portal_database, tokens, access_settings, tmp_path: Path
) -> AsyncIterator[dict[str, Any]]:
    async with (
        service_client(
            "access",
            portal_client_secret=SECRET,
            portal_redirect_uris=[f"{PORTAL}/auth/callback"],
            portal_post_logout_redirect_uris=[f"{PORTAL}/"],
            ingestion_files_dir=tmp_path / "ingestion",
            project_spaces_dir=tmp_path / "project-spaces",
            **access_settings,
        ) as access,
        service_client("accreditation") as accreditation,
        service_client("projects") as projects,
        service_client("clearance", outputs_dir=tmp_path / "outputs") as clearance,
        service_client("notify") as notify,
        service_client("booking") as booking,
    ):
        async with access.runtime.db.transaction() as session:
            await seed_catalogue(session)
            await seed_demo_users(session)
        async with booking.runtime.db.transaction() as session:
            session.add_all(reference_sites())
        db = Database(portal_database)
        try:
            await truncate_all(db, Base.metadata)
        finally:
            await db.dispose()
        hosts = Hosts(
            {
                "access.test": access.app,
                "accreditation.test": accreditation.app,
                "projects.test": projects.app,
                "clearance.test": clearance.app,
                "notify.test": notify.app,
                "booking.test": booking.app,
            }
        )
        settings = PortalSettings(
            database_url=portal_database,
            public_url=PORTAL,
            oidc_issuer_url=PROVIDER,
            oidc_client_secret=SECRET,
            service_urls={
                "accreditation": "http://accreditation.test",
                "projects": "http://projects.test",
                "access": PROVIDER,
                "clearance": "http://clearance.test",
                "notify": "http://notify.test",
                "booking": "http://booking.test",
            },
        )
        from srs_portal.app import create_app

        app = create_app(settings, provider_transport=hosts, platform_transport=hosts)
        async with asgi_client(app) as portal:
            portal.base_url = httpx.URL(PORTAL)
            async with httpx.AsyncClient(transport=hosts, base_url=PROVIDER) as provider:
                yield {
                    "portal": portal,
                    "app": app,
                    "provider": provider,
                    "tokens": tokens,
                    "access": access,
                    "accreditation": accreditation,
                    "projects": projects,
                    "clearance": clearance,
                    "notify": notify,
                    "booking": booking,
                }


async def start_sign_in(world: dict[str, Any], next_path: str = "/dashboard") -> httpx.Response:
    """The portal's redirect to the provider's sign-in page, and that page."""
    started = await world["portal"].get("/sign-in", params={"next": next_path})
    assert started.status_code == 302, started.text
    assert started.headers["location"].startswith(f"{PROVIDER}/oidc/authorize?")
    page = await world["provider"].get(started.headers["location"])
    assert page.status_code == 200, page.text
    return page


def hidden_fields(page: httpx.Response) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))


async def sign_in(
    world: dict[str, Any],
    username: str = "alice",
    password: str = "alice-demo",
    next_path: str = "/dashboard",
) -> httpx.Response:
    """Sign in through the provider's page; the portal's answer to the callback."""
    page = await start_sign_in(world, next_path)
    posted = await world["provider"].post(
        "/oidc/authorize", data={**hidden_fields(page), "username": username, "password": password}
    )
    assert posted.status_code == 303, posted.text
    callback = posted.headers["location"]
    assert callback.startswith(f"{PORTAL}/auth/callback?")
    return await world["portal"].get(callback)
