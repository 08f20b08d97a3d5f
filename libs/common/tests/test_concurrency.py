"""``srs_common.concurrency``: strong ETags from stored rows and If-Match on writes, over a
real database (SQLite, or the PostgreSQL of TEST_DATABASE_URL) behind a real FastAPI app."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Response
from pydantic import BaseModel
from sqlalchemy import JSON, Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from srs_common.concurrency import Preconditions, Versioned, entity_tag, set_etag
from srs_common.db import Database, SessionDep, UTCDateTime
from srs_common.errors import NotFound, install_error_handlers, problem_responses


class Base(DeclarativeBase):
    pass


class Gadget(Base):
    __tablename__ = "concurrency_gadget"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    edits: Mapped[int] = mapped_column(Integer, default=0)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Label(BaseModel):
    label: str


def make_app(db: Database) -> FastAPI:
    app = FastAPI()
    app.state.db = db
    install_error_handlers(app)

    @app.get("/gadgets/{gadget_id}")
    async def read(gadget_id: str, session: SessionDep, response: Response) -> dict:
        gadget = await session.get(Gadget, gadget_id)
        if gadget is None:
            raise NotFound(f"no gadget {gadget_id}")
        set_etag(response, gadget)
        return {"label": gadget.label, "edits": gadget.edits}

    @app.put("/gadgets/{gadget_id}", responses=problem_responses(404, 412))
    async def write(gadget_id: str, body: Label, session: SessionDep, versioned: Versioned) -> dict:
        gadget = await versioned.lock(session, select(Gadget).where(Gadget.id == gadget_id))
        if gadget is None:
            raise NotFound(f"no gadget {gadget_id}")
        versioned.require(f"gadget {gadget_id}", gadget)
        await asyncio.sleep(0.01)  # widen the window between check and write
        gadget.label = body.label
        gadget.edits += 1
        gadget.changed_at = dt.datetime.now(dt.UTC)
        await versioned.tag(session, gadget)
        return {"label": gadget.label, "edits": gadget.edits}

    return app


@pytest.fixture
async def client(mechanism_db_url: str) -> AsyncIterator[httpx.AsyncClient]:
    database = Database(mechanism_db_url, service="concurrency")
    async with database.engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
        await conn.run_sync(Base.metadata.create_all)
    async with database.transaction() as session:
        session.add(Gadget(id="g1", label="first", edits=0, tags=["b", "a"]))
    transport = httpx.ASGITransport(app=make_app(database))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
    async with database.engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
    await database.dispose()


def test_the_tag_is_strong_and_follows_every_stored_column() -> None:
    gadget = Gadget(id="g1", label="first", edits=0, tags=["a"], changed_at=None)
    tag = entity_tag(gadget)
    assert tag.startswith('"') and tag.endswith('"') and not tag.startswith("W/")
    assert entity_tag(Gadget(id="g1", label="first", edits=0, tags=["a"])) == tag
    for change in ({"label": "second"}, {"edits": 1}, {"tags": ["a", "b"]}):
        assert (
            entity_tag(Gadget(**{"id": "g1", "label": "first", "edits": 0, "tags": ["a"]} | change))
            != tag
        )
    # The same instant in another zone is the same stored value.
    at = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
    london = at.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert entity_tag(Gadget(id="g", label="x", edits=0, tags=[], changed_at=at)) == entity_tag(
        Gadget(id="g", label="x", edits=0, tags=[], changed_at=london)
    )


async def test_a_read_carries_the_etag_and_a_matching_write_gets_a_new_one(client) -> None:
    read = await client.get("/gadgets/g1")
    tag = read.headers["etag"]
    written = await client.put("/gadgets/g1", json={"label": "second"}, headers={"If-Match": tag})
    assert written.status_code == 200, written.text
    assert written.headers["etag"] != tag
    again = await client.get("/gadgets/g1")
    assert again.headers["etag"] == written.headers["etag"]
    assert again.json() == {"label": "second", "edits": 1}


async def test_a_stale_if_match_is_412_naming_the_resource_and_nothing_is_written(client) -> None:
    stale = (await client.get("/gadgets/g1")).headers["etag"]
    await client.put("/gadgets/g1", json={"label": "theirs"}, headers={"If-Match": stale})
    current = (await client.get("/gadgets/g1")).headers["etag"]
    refused = await client.put("/gadgets/g1", json={"label": "mine"}, headers={"If-Match": stale})
    assert refused.status_code == 412
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["etag"] == current
    problem = refused.json()
    assert problem["title"] == "Precondition failed"
    assert problem["resource"] == "gadget g1" and problem["current_etag"] == current
    assert "changed by someone else" in problem["detail"]
    assert (await client.get("/gadgets/g1")).json() == {"label": "theirs", "edits": 1}


@pytest.mark.parametrize("header", [None, "*", ' "nope" , *'])
async def test_no_if_match_or_a_star_writes_as_before(client, header) -> None:
    headers = {"If-Match": header} if header else {}
    written = await client.put("/gadgets/g1", json={"label": "any"}, headers=headers)
    if header and header != "*":
        # A list of tags is compared tag by tag; "*" inside a list is not a wildcard.
        assert written.status_code == 412
    else:
        assert written.status_code == 200 and "etag" in written.headers


async def test_a_weak_tag_or_one_of_several_is_compared_strongly(client) -> None:
    tag = (await client.get("/gadgets/g1")).headers["etag"]
    weak = await client.put("/gadgets/g1", json={"label": "w"}, headers={"If-Match": f"W/{tag}"})
    assert weak.status_code == 412
    listed = await client.put(
        "/gadgets/g1", json={"label": "l"}, headers={"If-Match": f'"other", {tag}'}
    )
    assert listed.status_code == 200


async def test_a_missing_resource_stays_404_whatever_if_match_says(client) -> None:
    missing = await client.put("/gadgets/nope", json={"label": "x"}, headers={"If-Match": '"a"'})
    assert missing.status_code == 404


async def test_writers_holding_the_same_tag_have_exactly_one_winner(client) -> None:
    tag = (await client.get("/gadgets/g1")).headers["etag"]
    answers = await asyncio.gather(
        *[
            client.put("/gadgets/g1", json={"label": f"writer {i}"}, headers={"If-Match": tag})
            for i in range(8)
        ]
    )
    statuses = Counter(a.status_code for a in answers)
    assert statuses == {200: 1, 412: 7}, statuses
    winner = next(a for a in answers if a.status_code == 200)
    stored = await client.get("/gadgets/g1")
    assert stored.json() == {"label": winner.json()["label"], "edits": 1}
    assert all(
        a.json()["current_etag"] == stored.headers["etag"] for a in answers if a.status_code == 412
    )


def test_plain_values_beside_rows_move_the_tag_too() -> None:
    gadget = Gadget(id="g1", label="first", edits=0, tags=[])
    decisions = [{"action": "withhold_priority", "at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}]
    assert entity_tag(gadget, decisions) != entity_tag(gadget, [])
    assert entity_tag(gadget, decisions) == entity_tag(gadget, list(decisions))


@pytest.mark.parametrize(
    "header, conditional",
    [(None, False), ("*", False), (' "abc" ', True), ('W/"abc", "def"', True)],
)
def test_only_named_tags_make_a_write_conditional(header, conditional) -> None:
    """A write with no tags to compare may skip reading what only its version needs."""
    assert Preconditions(Response(), header).conditional is conditional
