"""The platform's guards against input a database would refuse with a 500: NUL in path
and query parameters (srs_common.bodylimit) and, as the net under the schemas' limits, a
value the database itself refuses as too long (srs_common.errors)."""

from __future__ import annotations

from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI, Query
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select
from sqlalchemy.exc import DataError

from srs_common.bodylimit import BodyLimitMiddleware
from srs_common.db import Database
from srs_common.errors import install_error_handlers

short_metadata = MetaData()
short = Table(
    "short_value",
    short_metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(8), nullable=False),
)


def guarded_app(db: Database) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, default=1024, overrides={})

    async def session():  # the request boundary: one commit, or a rollback
        async with db.sessionmaker() as s:
            yield s
            await s.commit()

    @app.get("/v1/things/{thing_id}")
    async def read(
        thing_id: str, status: Annotated[str | None, Query(max_length=20)] = None
    ) -> dict[str, str | None]:
        return {"thing_id": thing_id, "status": status}

    @app.post("/v1/codes")
    async def create(body: dict[str, str], s=Depends(session)) -> dict[str, str]:  # noqa: B008
        if db.engine.dialect.name == "sqlite":
            # SQLite stores any length: raise what asyncpg raises on PostgreSQL.
            import asyncpg

            if len(body["code"]) > 8:
                raise DataError(
                    "INSERT INTO short_value",
                    {},
                    asyncpg.StringDataRightTruncationError(
                        "value too long for type character varying(8)"
                    ),
                )
        await s.execute(insert(short).values(code=body["code"]))
        await s.flush()
        return {"code": body["code"]}

    return app


@pytest.fixture
async def guarded(mechanism_db_url):
    db = Database(mechanism_db_url, service="guards")
    async with db.engine.begin() as conn:
        await conn.run_sync(short_metadata.drop_all)
        await conn.run_sync(short_metadata.create_all)
    transport = httpx.ASGITransport(app=guarded_app(db))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        client.db = db  # type: ignore[attr-defined]
        yield client
    await db.dispose()


@pytest.mark.parametrize(
    "url, field",
    [
        ("/v1/things/a%00b", "path.thing_id"),
        ("/v1/things/x?status=a%00b", "query.status"),
        ("/v1/things/x?status=ok&zz%00=1", "query.zz"),
    ],
)
async def test_nul_in_a_path_or_query_parameter_is_422_naming_it(guarded, url, field):
    response = await guarded.get(url)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert field in response.json()["detail"]


async def test_parameters_without_nul_pass_the_guard(guarded):
    response = await guarded.get("/v1/things/a%20b?status=a%2500b")  # a literal "%00"
    assert response.status_code == 200
    assert response.json() == {"thing_id": "a b", "status": "a%00b"}


async def test_a_value_longer_than_its_column_is_422_and_nothing_is_written(guarded):
    response = await guarded.post("/v1/codes", json={"code": "x" * 9})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "longer than its field allows" in response.json()["detail"]
    assert (await guarded.post("/v1/codes", json={"code": "x" * 8})).status_code == 200
    async with guarded.db.engine.connect() as conn:  # type: ignore[attr-defined]
        assert (await conn.execute(select(short.c.code))).scalars().all() == ["x" * 8]
