"""The connection pool: no ping round trip per request, yet a connection the server cut
while it sat idle in the pool is replaced before anyone uses it."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from srs_common import db as db_module
from srs_common.testing import database_url_for, ensure_postgres_database

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
    reason="pooled connections and server-side disconnects: PostgreSQL only",
)


@pytest.fixture
def url(tmp_path):
    url = database_url_for("common_pool", tmp_path)
    ensure_postgres_database(url, recreate=True)
    return url


async def backend_pid(engine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_a_connection_cut_while_idle_is_replaced_without_an_error(url, monkeypatch):
    engine = db_module.create_engine(url, pool_size=1)
    killer = db_module.create_engine(url, null_pool=True)
    try:
        first = await backend_pid(engine)
        async with killer.connect() as conn:
            await conn.execute(text(f"SELECT pg_terminate_backend({first})"))
        monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)
        assert await backend_pid(engine) != first
    finally:
        await engine.dispose()
        await killer.dispose()


async def test_a_connection_just_returned_is_not_pinged(url):
    engine = db_module.create_engine(url, pool_size=1)
    pings = 0
    original = engine.dialect.do_ping

    def counting_ping(dbapi_connection):
        nonlocal pings
        pings += 1
        return original(dbapi_connection)

    engine.dialect.do_ping = counting_ping  # type: ignore[method-assign]
    try:
        for _ in range(5):
            await backend_pid(engine)
        assert pings == 0
    finally:
        await engine.dispose()
