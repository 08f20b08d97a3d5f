"""Fixtures shared by every suite: tokens, a real Tansu broker, real databases, and an
in-process client per service (its lifespan run, relay and consumers off unless asked)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from srs_access.settings import AccessSettings
from srs_accreditation.settings import AccreditationSettings
from srs_booking.settings import BookingSettings
from srs_clearance.settings import ClearanceSettings
from srs_common.app import Runtime
from srs_common.broker import Broker, running_broker
from srs_common.config import ServiceSettings
from srs_common.db import Database
from srs_common.testing import (
    ServiceUnderTest,
    Tokens,
    asgi_client,
    database_url_for,
    platform_settings,
    prepare_database,
    truncate_all,
)
from srs_common.tokens import SigningKey
from srs_notify.settings import NotifySettings
from srs_ops.settings import OpsSettings
from srs_projects.settings import ProjectsSettings

SERVICES: dict[str, ServiceUnderTest] = {
    "accreditation": ServiceUnderTest("accreditation", "srs_accreditation", AccreditationSettings),
    "projects": ServiceUnderTest("projects", "srs_projects", ProjectsSettings),
    "clearance": ServiceUnderTest("clearance", "srs_clearance", ClearanceSettings),
    "access": ServiceUnderTest("access", "srs_access", AccessSettings),
    "booking": ServiceUnderTest("booking", "srs_booking", BookingSettings),
    "ops": ServiceUnderTest("ops", "srs_ops", OpsSettings),
    "notify": ServiceUnderTest("notify", "srs_notify", NotifySettings),
}


@pytest.hookimpl(tryfirst=True)  # before ``-m`` selects by the marker set here
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the tests that drive Chromium last. Playwright's sync API keeps its event loop
    marked as running in the main thread for as long as the session's browser lives, so an
    asyncio test collected after the first browser test could not start its own loop.
    They are marked ``browser`` so a run can choose them (``-m browser``) or leave them."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def tokens() -> Tokens:
    return Tokens(SigningKey.generate())


@pytest.fixture(scope="session")
def srs_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("srs")


@pytest.fixture(scope="session")
def broker() -> Iterator[Broker]:
    """A real Tansu broker on a free port, for the whole session."""
    with running_broker() as b:
        yield b


@pytest.fixture(scope="session")
def database_url(srs_tmp: Path) -> Callable[[str], str]:
    """``database_url("projects")``: that service's test database, migrated once."""
    prepared: dict[str, str] = {}

    def get(service: str) -> str:
        if service not in prepared:
            sut = SERVICES[service]
            url = database_url_for(service, srs_tmp)
            prepare_database(url, sut.migrations_dir)
            prepared[service] = url
        return prepared[service]

    return get


@pytest.fixture
def service_settings(
    database_url: Callable[[str], str], tokens: Tokens
) -> Callable[..., ServiceSettings]:
    """Build a service's settings for tests; relay and consumers off by default."""

    def build(service: str, *, bootstrap: str | None = None, **overrides: Any) -> ServiceSettings:
        sut = SERVICES[service]
        values: dict[str, Any] = {
            "database_url": database_url(service),
            "platform": platform_settings(tokens, bootstrap or "127.0.0.1:1"),
            "run_relay": False,
            "run_consumers": False,
            "relay_poll_seconds": 0.1,
            "consumer_backoff_base_seconds": 0.01,
        }
        if service == "access":
            values["signing_key_pem"] = tokens.key.private_pem
        values.update(overrides)
        return sut.settings_class(**values)

    return build


@pytest.fixture
def service_client(
    service_settings: Callable[..., ServiceSettings],
) -> Callable[..., contextlib.AbstractAsyncContextManager[httpx.AsyncClient]]:
    """``async with service_client("projects") as client:`` - empty tables, lifespan run.

    ``client.runtime`` is the service's :class:`Runtime` (database, relay, consumer)."""

    @contextlib.asynccontextmanager
    async def open_client(
        service: str, *, truncate: bool = True, **overrides: Any
    ) -> AsyncIterator[httpx.AsyncClient]:
        sut = SERVICES[service]
        settings = service_settings(service, **overrides)
        if truncate:
            db = Database(settings.database_url)
            try:
                await truncate_all(db, sut.metadata)
            finally:
                await db.dispose()
        app = sut.create_app(settings)
        async with asgi_client(app) as client:
            client.app = app  # type: ignore[attr-defined]
            client.runtime = app.state.runtime  # type: ignore[attr-defined]
            yield client

    return open_client


def runtime_of(client: httpx.AsyncClient) -> Runtime:
    return client.runtime  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def deliver() -> Callable[..., Any]:
    """``await deliver(client, payload, subject=...)``: hand an event to the service's
    handlers through the same inbox transaction the consumer uses; True if applied,
    False if it was a duplicate. Pass ``event=`` to redeliver the very same event."""
    from srs_common.events.consumer import ConsumerRunner
    from srs_common.testing import event_from

    async def run(
        client: httpx.AsyncClient,
        payload: Any = None,
        *,
        subject: str | None = None,
        event: Any = None,
        source: str = "/srs/test",
    ) -> bool:
        runtime = runtime_of(client)
        spec_handlers = client.app.state.spec.handlers  # type: ignore[attr-defined]
        runner = ConsumerRunner(runtime.db, runtime.settings, spec_handlers, [])
        if event is None:
            assert payload is not None and subject is not None
            event = event_from(payload, subject=subject, source=source)
        return await runner.apply(event)

    return run
