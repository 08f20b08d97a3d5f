"""Server-side web sessions against the real database: the cookie carries only a signed
id, the row is keyed by its hash, a forged or expired cookie resumes nothing, sign-in
rotates the id, signing out deletes the row and the cookie, and the purge counts."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import DeclarativeBase
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from srs_common.db import Database, naming_metadata, utcnow
from srs_common.testing import database_url_for, ensure_postgres_database, truncate_all
from srs_common.websessions import WebSessionColumns, WebSessions

COOKIE = "widget_session"
ROTATE = "widget.rotate"


class Base(DeclarativeBase):
    metadata = naming_metadata()


class WidgetSession(WebSessionColumns, Base):
    __tablename__ = "widget_session"


@pytest.fixture
async def db(srs_tmp: Path) -> AsyncIterator[Database]:
    url = database_url_for("websessions_mechanism", srs_tmp)
    if url.startswith("postgresql"):
        ensure_postgres_database(url, recreate=False)
    database = Database(url, service="widgets")
    async with database.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    await truncate_all(database, Base.metadata)
    yield database
    await database.dispose()


def store_for(db: Database | None, *, secure: bool = False, secret: str = "s" * 32) -> WebSessions:
    return WebSessions(
        WidgetSession,
        secret=secret,
        salt="widget-session",
        cookie=COOKIE,
        rotate_key=ROTATE,
        idle_seconds=600,
        secure=secure,
        db=db,
    )


def client_for(store: WebSessions) -> httpx.AsyncClient:
    async def sign_in(request: Request) -> JSONResponse:
        request.session["user"] = request.query_params["user"]
        request.scope[ROTATE] = True
        return JSONResponse({})

    async def whoami(request: Request) -> JSONResponse:
        return JSONResponse({"user": request.session.get("user")})

    async def sign_out(request: Request) -> JSONResponse:
        request.session.clear()
        return JSONResponse({})

    inner = Starlette(
        routes=[
            Route("/sign-in", sign_in, methods=["POST"]),
            Route("/me", whoami),
            Route("/sign-out", sign_out, methods=["POST"]),
        ]
    )

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await store.serve(inner, scope, receive, send)

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://widgets")


async def rows(db: Database) -> list[WidgetSession]:
    async with db.transaction() as session:
        return list((await session.execute(select(WidgetSession))).scalars())


async def test_the_cookie_carries_a_signed_id_and_the_row_its_hash(db: Database) -> None:
    store = store_for(db, secure=True)
    async with client_for(store) as client:
        response = await client.post("/sign-in", params={"user": "alice"})
        header = response.headers["set-cookie"]
        assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" in header
        assert "Max-Age=600" in header
        assert (await client.get("/me")).json() == {"user": "alice"}
    session_id = store.session_id(response.cookies[COOKIE])
    assert session_id is not None
    [row] = await rows(db)
    assert row.id_hash == hashlib.sha256(session_id.encode()).hexdigest()
    assert session_id not in row.id_hash and row.data == {"user": "alice"}


async def test_a_forged_or_foreign_cookie_resumes_no_session(db: Database) -> None:
    async with client_for(store_for(db)) as client:
        signed_in = await client.post("/sign-in", params={"user": "alice"})
        cookie = signed_in.cookies[COOKIE]
    session_id = cookie.rsplit(".", 1)[0]
    other_secret = store_for(db, secret="t" * 32).signer.sign(session_id).decode()
    for forged in (session_id, session_id + ".bad", other_secret):
        async with client_for(store_for(db)) as stranger:
            stranger.cookies.set(COOKIE, forged)
            assert (await stranger.get("/me")).json() == {"user": None}


async def test_signing_in_again_moves_the_session_to_a_fresh_id(db: Database) -> None:
    async with client_for(store_for(db)) as client:
        first = (await client.post("/sign-in", params={"user": "alice"})).cookies[COOKIE]
        second = (await client.post("/sign-in", params={"user": "bob"})).cookies[COOKIE]
        assert first != second
        assert (await client.get("/me")).json() == {"user": "bob"}
    assert [row.data for row in await rows(db)] == [{"user": "bob"}]
    async with client_for(store_for(db)) as old:
        old.cookies.set(COOKIE, first)
        assert (await old.get("/me")).json() == {"user": None}


async def test_signing_out_deletes_the_row_and_the_cookie(db: Database) -> None:
    async with client_for(store_for(db)) as client:
        await client.post("/sign-in", params={"user": "alice"})
        response = await client.post("/sign-out")
        assert 'widget_session=""' in response.headers["set-cookie"]
        assert "Max-Age=0" in response.headers["set-cookie"]
    assert await rows(db) == []


async def test_an_idle_session_expires_and_the_purge_counts(db: Database) -> None:
    store = store_for(db)
    async with client_for(store) as client:
        await client.post("/sign-in", params={"user": "alice"})
        async with client_for(store) as other:
            await other.post("/sign-in", params={"user": "bob"})
        assert await store.purge_expired() == 0
        async with db.transaction() as session:
            await session.execute(
                update(WidgetSession).values(expires_at=utcnow() - dt.timedelta(seconds=1))
            )
        assert (await client.get("/me")).json() == {"user": None}  # and its row went
        assert [row.data for row in await rows(db)] == [{"user": "bob"}]
        assert await store.purge_expired() == 1
    assert await rows(db) == []


async def test_a_store_without_its_database_says_so(db: Database) -> None:
    with pytest.raises(RuntimeError, match="no database yet"):
        await store_for(None).load("any")
