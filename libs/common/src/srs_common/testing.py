"""Test helpers shared by every service's suite: real databases, a real broker, tokens.

PostgreSQL when ``TEST_DATABASE_URL`` is set (one database per service, named
``<base>_<service>``), SQLite files otherwise. Schemas are built by the services' own
migrations, once per session; each test starts from empty tables.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import os
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import MetaData, text
from sqlalchemy.engine import make_url

from srs_common.config import PlatformSettings, ServiceSettings
from srs_common.db import Database
from srs_common.migrations import in_own_thread, upgrade
from srs_common.tokens import SigningKey, issue_token, jwks

ISSUER = "srs-access"
AUDIENCE = "srs"


def run_sync(coro_factory: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run a coroutine to completion from sync code, even inside a running loop."""
    return in_own_thread(lambda: asyncio.run(coro_factory()))


def ensure_postgres_database(url: str, *, recreate: bool = False) -> None:
    import asyncpg

    parsed = make_url(url)
    name = parsed.database
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )

    async def go() -> None:
        conn = await asyncpg.connect(admin)
        try:
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if exists and recreate:
                await conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                exists = False
            if not exists:
                await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    run_sync(go)


def database_url_for(service: str, tmp_dir: Path, *, suffix: str = "") -> str:
    """The test database of ``service``: PostgreSQL if ``TEST_DATABASE_URL`` is set."""
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        parsed = make_url(base)
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+asyncpg")
        name = f"{parsed.database or 'srs_test'}_{service}{suffix}"
        return parsed.set(database=name).render_as_string(hide_password=False)
    tmp_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite+aiosqlite:///{tmp_dir / f'{service}{suffix}.db'}"


def prepare_database(url: str, migrations_dir: Path, *, recreate: bool = True) -> None:
    if url.startswith("postgresql"):
        ensure_postgres_database(url, recreate=recreate)
    else:
        path = Path(url.split("///", 1)[1])
        if recreate:
            for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                p.unlink(missing_ok=True)
    upgrade(migrations_dir, url)


async def truncate_all(db: Database, metadata: MetaData) -> None:
    """Empty every table of ``metadata`` (alembic's version table is not in it)."""
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    async with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            quoted = ", ".join(f'"{t}"' for t in tables)
            await conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await conn.execute(text(f'DELETE FROM "{table}"'))


@dataclass
class Tokens:
    """Signs test tokens with the test issuer key."""

    key: SigningKey
    issuer: str = ISSUER
    audience: str = AUDIENCE

    def token(
        self,
        *roles: str,
        sub: str | None = None,
        researcher_id: str | None = None,
        org: str | None = None,
        scope: str | None = None,
        **kwargs: Any,
    ) -> str:
        roles_list = list(roles) or ["researcher"]
        subject = sub or researcher_id or f"{roles_list[0]}-user"
        if "researcher" in roles_list and researcher_id is None:
            researcher_id = subject
        return issue_token(
            self.key,
            sub=subject,
            roles=roles_list,
            issuer=self.issuer,
            audience=self.audience,
            researcher_id=researcher_id,
            org=org,
            scope=scope,
            **kwargs,
        )

    def headers(self, *roles: str, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(*roles, **kwargs)}"}

    @property
    def jwks_json(self) -> str:
        return json.dumps(jwks(self.key))


@dataclass
class ServiceUnderTest:
    """How to build one service for tests."""

    name: str
    package: str  # e.g. "srs_projects"
    settings_class: type[ServiceSettings]
    prepared_urls: dict[str, str] = field(default_factory=dict)

    @property
    def module(self) -> Any:
        return importlib.import_module(self.package)

    @property
    def migrations_dir(self) -> Path:
        return Path(self.module.MIGRATIONS_DIR)

    @property
    def metadata(self) -> MetaData:
        metadata: MetaData = importlib.import_module(f"{self.package}.models").Base.metadata
        return metadata

    def create_app(self, settings: ServiceSettings) -> Any:
        return importlib.import_module(f"{self.package}.app").create_app(settings)


@contextlib.asynccontextmanager
async def asgi_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to ``app`` in-process, with its lifespan run."""
    from asgi_lifespan import LifespanManager

    async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


def platform_settings(tokens: Tokens, bootstrap: str = "127.0.0.1:1") -> PlatformSettings:
    return PlatformSettings(
        kafka_bootstrap=bootstrap,
        jwks_json=tokens.jwks_json,
        jwt_issuer=tokens.issuer,
        jwt_audience=tokens.audience,
        log_json=False,
        log_level="WARNING",
        session_timeout_ms=6000,
    )


def event_from(
    payload: Any,
    *,
    subject: str,
    source: str = "/srs/test",
    event_id: str | None = None,
    correlation_id: str | None = None,
) -> Any:
    """A consumed :class:`Event` carrying ``payload`` (a contract instance), as the
    consumer runner would hand it to a handler."""
    import datetime as dt
    import uuid

    from srs_common.events.envelope import Event

    return Event(
        id=event_id or str(uuid.uuid4()),
        source=source,
        type=payload.type,
        subject=subject,
        time=dt.datetime.now(dt.UTC),
        correlation_id=correlation_id,
        data=payload.model_dump(mode="json"),
        key=subject,
        payload=payload,
    )


def example_of(contract: type[Any], **overrides: Any) -> Any:
    """``contract``'s documented example with ``overrides``, validated: a payload for a
    test that cares about a few of its fields."""
    return contract.model_validate({**contract.example, **overrides})


def consumer_record(
    payload: Any,
    *,
    subject: str,
    offset: int,
    source: str = "/srs/test",
    event_id: str | None = None,
) -> Any:
    """``payload`` (a contract instance) as the consumer fetches it from the broker, for
    tests of what a fetched run does (``runner.records.process_all([...])``)."""
    import datetime as dt
    import uuid

    from aiokafka import ConsumerRecord

    from srs_common.events.envelope import encode_data, to_headers

    now = dt.datetime.now(dt.UTC)
    headers = to_headers(
        event_id=event_id or str(uuid.uuid4()),
        source=source,
        event_type=payload.type,
        subject=subject,
        time=now,
        correlation_id=f"corr-{subject}",
    )
    value = encode_data(payload.model_dump(mode="json"))
    return ConsumerRecord(
        topic=payload.topic,
        partition=0,
        offset=offset,
        timestamp=int(now.timestamp() * 1000),
        timestamp_type=0,
        key=subject.encode(),
        value=value,
        checksum=None,
        serialized_key_size=len(subject),
        serialized_value_size=len(value),
        headers=headers,
    )
