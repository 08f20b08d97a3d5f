"""``keyset_page``: the one way a list route pages (a real database, SQLite or the
PostgreSQL of TEST_DATABASE_URL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Boolean, Integer, String, bindparam, func, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from srs_common.db import Database, UTCDateTime
from srs_common.errors import AppError
from srs_common.pagination import Keyset, Page, desc, encode_cursor, keyset_page

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


class Base(DeclarativeBase):
    pass


class Entry(Base):
    __tablename__ = "keyset_entry"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    rank: Mapped[int] = mapped_column(Integer)
    urgent: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


# Two entries share each time (ties broken by id); urgency mixes true, false and unset.
ROWS = [
    {"id": f"e{n:02d}", "at": T0 + dt.timedelta(hours=n // 2), "rank": n, "urgent": urgency}
    for n, urgency in zip(
        range(10), [True, None, False, True, None, False, True, None, False, True], strict=True
    )
]


@pytest.fixture
async def db(mechanism_db_url: str) -> AsyncIterator[Database]:
    database = Database(mechanism_db_url, service="keyset")
    async with database.engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
        await conn.run_sync(Base.metadata.create_all)
        await conn.execute(insert(Entry.__table__), ROWS)
    yield database
    async with database.engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
    await database.dispose()


async def walk(db: Database, **kwargs) -> list[Page]:
    """Every page, following ``next`` until the last."""
    pages, cursor = [], None
    async with db.sessionmaker() as session:
        while True:
            page = await keyset_page(session, cursor=cursor, **kwargs)
            pages.append(page)
            cursor = page.next
            if cursor is None:
                return pages


def ids(pages: list[Page]) -> list[list[str]]:
    return [[item.id for item in page.items] for page in pages]


async def test_pages_in_ascending_order_with_ties_broken_by_id(db: Database) -> None:
    pages = await walk(db, stmt=select(Entry), keys=[Entry.at, Entry.id], limit=4)
    assert ids(pages) == [
        ["e00", "e01", "e02", "e03"],
        ["e04", "e05", "e06", "e07"],
        ["e08", "e09"],
    ]
    assert pages[-1].next is None


async def test_pages_in_descending_order(db: Database) -> None:
    pages = await walk(db, stmt=select(Entry), keys=[desc(Entry.at), desc(Entry.id)], limit=3)
    assert ids(pages) == [
        ["e09", "e08", "e07"],
        ["e06", "e05", "e04"],
        ["e03", "e02", "e01"],
        ["e00"],
    ]


async def test_a_page_that_ends_exactly_on_the_last_row_has_no_next(db: Database) -> None:
    pages = await walk(db, stmt=select(Entry), keys=[Entry.id], limit=5)
    assert ids(pages) == [["e00", "e01", "e02", "e03", "e04"], ["e05", "e06", "e07", "e08", "e09"]]
    one_page = await walk(db, stmt=select(Entry), keys=[Entry.id], limit=200)
    assert len(one_page) == 1 and one_page[0].next is None


async def test_the_filter_of_the_select_holds_on_every_page(db: Database) -> None:
    stmt = select(Entry).where(Entry.rank % 2 == 0)
    pages = await walk(db, stmt=stmt, keys=[desc(Entry.rank), Entry.id], limit=2)
    assert ids(pages) == [["e08", "e06"], ["e04", "e02"], ["e00"]]


async def test_mixed_directions_over_an_expression_and_rows_of_two_things(db: Database) -> None:
    """Urgent first (unset counts as not urgent), then the earliest, ties by id: the shape
    of a work queue."""
    urgent = func.coalesce(Entry.urgent, False)
    pages = await walk(
        db,
        stmt=select(Entry, urgent),
        keys=[desc(urgent), Entry.at, Entry.id],
        values=lambda row: [bool(row[1]), row[0].at, row[0].id],
        limit=3,
    )
    served = [[row[0].id for row in page.items] for page in pages]
    assert served == [["e00", "e03", "e06"], ["e09", "e01", "e02"], ["e04", "e05", "e07"], ["e08"]]


async def test_a_cursor_this_api_did_not_issue_is_a_422(db: Database) -> None:
    bad = [
        "not base64 at all!",
        encode_cursor(["e01"]),  # one value where the keys are two
        encode_cursor(["yesterday", "e01"]),  # not a time
        encode_cursor(["2026-01-05T09:00:00", "e01"]),  # a time without its zone
        encode_cursor([T0.isoformat(), 7]),  # an id that is not text
        encode_cursor([None, "e01"]),
    ]
    async with db.sessionmaker() as session:
        for cursor in bad:
            with pytest.raises(AppError) as raised:
                await keyset_page(
                    session, select(Entry), [Entry.at, Entry.id], cursor=cursor, limit=3
                )
            assert raised.value.status == 422, cursor
            assert raised.value.title == "Invalid cursor"


async def test_map_converts_the_items_and_keeps_the_cursor(db: Database) -> None:
    async with db.sessionmaker() as session:
        page = await keyset_page(session, select(Entry), [Entry.id], cursor=None, limit=2)
    shaped = page.map(lambda entry: entry.rank)
    assert shaped.items == [0, 1]
    assert shaped.next == page.next is not None


async def test_a_keyset_built_once_pages_as_a_select_built_per_request(db: Database) -> None:
    """A hot list's select built once, its filter a bind parameter: every walk, whatever
    the filter's value, serves the pages the same select built per request serves, and
    the keyset's two statements are built once for them all."""
    urgent = func.coalesce(Entry.urgent, False)
    keys = [desc(urgent), Entry.at, Entry.id]
    built_once = Keyset(
        select(Entry, urgent).where(Entry.rank >= bindparam("from_rank", type_=Integer)), keys
    )

    def values(row):
        return [bool(row[1]), row[0].at, row[0].id]

    def served(pages: list[Page]) -> list[list[str]]:
        return [[row[0].id for row in page.items] for page in pages]

    statements = set()
    for from_rank in (0, 3, 9, 10):
        per_request = await walk(
            db,
            stmt=select(Entry, urgent).where(Entry.rank >= from_rank),
            keys=keys,
            values=values,
            limit=2,
        )
        once = await walk(
            db, stmt=built_once, values=values, limit=2, params={"from_rank": from_rank}
        )
        assert served(once) == served(per_request), from_rank
        statements |= {id(built_once.ordered(after_cursor=b)) for b in (False, True)}
    assert served(once) == [[]]  # from rank 10: nothing, and no next page
    assert len(statements) == 2
    async with db.sessionmaker() as session:
        with pytest.raises(AppError) as raised:
            await keyset_page(
                session,
                built_once,
                cursor=encode_cursor([True, "yesterday", "e01"]),
                limit=2,
                params={"from_rank": 0},
            )
    assert raised.value.status == 422
