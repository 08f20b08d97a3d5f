"""Cursor pagination: opaque cursors, a capped ``limit``, a ``next`` link.

A cursor encodes the sort key of the last item served (e.g. ``[created_at, id]``), so
pages stay stable while rows are inserted, unlike offsets. :func:`keyset_page` is the one
way a list route pages: it takes the filtered select, the sort keys (ending with the id,
the tie-break), the cursor and the limit and returns a :class:`Page`. A hot list whose
filters are bind parameters builds its select once, as a :class:`Keyset`, and
:func:`keyset_page` then builds no statement per request.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy import Integer, and_, bindparam, literal, or_
from sqlalchemy.types import TypeDecorator

from srs_common.errors import AppError

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Select
    from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
U = TypeVar("U")

MAX_LIMIT = 200


class Page(BaseModel, Generic[T]):
    items: list[T]
    next: str | None = Field(None, description="cursor for the next page; absent on the last")

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        """The same page with every item converted (rows to response models)."""
        return _ANY_PAGE(items=[convert(item) for item in self.items], next=self.next)


# Pydantic keeps a parametrised generic model only while something refers to it: a
# ``Page[Any]`` built inside a request was collected by the next garbage collection and
# built again (~90 us) by a later request. Held here, it is built once.
_ANY_PAGE: type[Page[Any]] = Page[Any]


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def invalid_cursor() -> AppError:
    """The 422 for a cursor this API did not issue."""
    return AppError("the cursor is not one this API issued", status=422, title="Invalid cursor")


def decode_cursor(cursor: str | None) -> list[Any] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        raise invalid_cursor() from None
    if not isinstance(values, list):
        raise invalid_cursor()
    return values


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size (at most 200)")]
Cursor = Annotated[str | None, Query(max_length=512, description="`next` from the previous page")]


@dataclass(frozen=True, slots=True)
class SortKey:
    """One column (or expression) of a keyset ordering and its direction."""

    column: ColumnElement[Any] | Any
    descending: bool = False


def desc(column: ColumnElement[Any] | Any) -> SortKey:
    """A descending sort key: ``keyset_page(..., [desc(Row.created_at), desc(Row.id)])``."""
    return SortKey(column, descending=True)


def _python_type(column: Any) -> type | None:
    kind = getattr(column, "type", None)
    if isinstance(kind, TypeDecorator):  # e.g. UTCDateTime: the type it stores
        kind = kind.impl_instance
    try:
        return kind.python_type  # type: ignore[union-attr]
    except (AttributeError, NotImplementedError):
        return None


def _read(value: Any, kind: type | None) -> Any:
    """A cursor value back as the column's Python type; ValueError when it cannot be."""
    if value is None:
        raise ValueError("no sort value")
    if kind is dt.datetime:
        when = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
        if when is None or when.tzinfo is None:
            raise ValueError("not a timezone-aware ISO 8601 time")
        return when
    if kind is dt.date:
        if not isinstance(value, str):
            raise ValueError("not an ISO 8601 date")
        return dt.date.fromisoformat(value)
    if kind is bool:
        if not isinstance(value, bool):
            raise ValueError("not a boolean")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError("not an integer")
        return int(value)
    if kind is str:
        if not isinstance(value, str):
            raise ValueError("not text")
        return value
    return value


def _written(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def _after(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in the order of ``keys`` (each key in its direction)."""
    branches = []
    for i, key in enumerate(keys):
        equal = [keys[j].column == values[j] for j in range(i)]
        # A boolean sort value goes in as a bound literal (SQLAlchemy refuses ``col < True``).
        value = literal(values[i]) if isinstance(values[i], bool) else values[i]
        beyond = key.column < value if key.descending else key.column > value
        branches.append(and_(*equal, beyond))
    return or_(*branches)


def _ordering(keys: Sequence[SortKey]) -> list[Any]:
    """ORDER BY terms for ``keys``, each in its direction."""
    return [k.column.desc() if k.descending else k.column.asc() for k in keys]


def _attribute(item: Any, column: Any) -> Any:
    name = getattr(column, "key", None)
    if not isinstance(name, str):
        raise TypeError(f"give keyset_page(values=...) for the sort key {column!r}")
    return getattr(item, name)


class Keyset:
    """A list's select and sort keys, built once (at import, its filters bind parameters
    given to :func:`keyset_page` as ``params``), and the two statements that page it
    (the first page; a page after a cursor), each built at first use with the limit and
    the cursor's values as bind parameters.

    Building a select and its ordering for every request, and SQLAlchemy computing each
    new statement's cache key, cost a hot read a fifth of its time; a statement object
    used again has its cache key already."""

    def __init__(
        self,
        stmt: Select[*tuple[Any, ...]],
        keys: Sequence[SortKey | ColumnElement[Any] | Any],
    ) -> None:
        self.stmt = stmt
        self.sort = [key if isinstance(key, SortKey) else SortKey(key) for key in keys]
        self.scalars = len(stmt.column_descriptions) == 1
        self._first: Select[*tuple[Any, ...]] | None = None
        self._later: Select[*tuple[Any, ...]] | None = None

    def ordered(self, *, after_cursor: bool) -> Select[*tuple[Any, ...]]:
        """The statement of a first page, or of a page after a cursor (whose values are
        the parameters ``keyset_0``, ``keyset_1``...); the limit is ``keyset_limit``."""
        built = self._later if after_cursor else self._first
        if built is None:
            stmt = self.stmt
            if after_cursor:
                stmt = stmt.where(
                    _after(
                        self.sort,
                        [
                            bindparam(f"keyset_{i}", type_=getattr(key.column, "type", None))
                            for i, key in enumerate(self.sort)
                        ],
                    )
                )
            built = stmt.order_by(*_ordering(self.sort)).limit(
                bindparam("keyset_limit", type_=Integer)
            )
            if after_cursor:
                self._later = built
            else:
                self._first = built
        return built


def _cursor_values(sort: Sequence[SortKey], cursor: str | None) -> list[Any] | None:
    """The cursor's sort values as the columns' Python types; 422 for a cursor this API
    did not issue."""
    after = decode_cursor(cursor)
    if after is None:
        return None
    if len(after) != len(sort):
        raise invalid_cursor()
    try:
        return [_read(v, _python_type(k.column)) for v, k in zip(after, sort, strict=True)]
    except ValueError:
        raise invalid_cursor() from None


async def keyset_page(
    session: AsyncSession,
    stmt: Select[*tuple[Any, ...]] | Keyset,
    keys: Sequence[SortKey | ColumnElement[Any] | Any] = (),
    *,
    cursor: str | None,
    limit: int,
    values: Callable[[Any], Sequence[Any]] | None = None,
    scalars: bool | None = None,
    params: dict[str, Any] | None = None,
) -> Page[Any]:
    """One page of ``stmt`` (already filtered by visibility and the query) in the order of
    ``keys``, after the row ``cursor`` names; ``next`` names the last row served.

    ``keys`` end with a unique column (the id), which breaks ties; a plain column sorts
    ascending, :func:`desc` descending (directions may mix). The cursor carries the keys'
    values of the last row, read from the item's attributes of the same name, or by
    ``values(item)`` (for an unnamed expression). Fetches ``limit + 1`` rows to know
    whether there is a next page. A cursor this API did not issue is a 422. ``scalars``:
    items are the first entity of each row (default: when ``stmt`` selects one thing).
    ``stmt`` may be a :class:`Keyset` (its keys its own), ``params`` its filters' values."""
    if isinstance(stmt, Keyset):
        if keys:
            raise TypeError("a Keyset carries its own sort keys")
        sort = stmt.sort
        parsed = _cursor_values(sort, cursor)
        bound = dict(params or {}, keyset_limit=limit + 1)
        if parsed is not None:
            bound.update({f"keyset_{i}": value for i, value in enumerate(parsed)})
        result = await session.execute(stmt.ordered(after_cursor=parsed is not None), bound)
        if scalars is None:
            scalars = stmt.scalars
    else:
        sort = [key if isinstance(key, SortKey) else SortKey(key) for key in keys]
        parsed = _cursor_values(sort, cursor)
        if parsed is not None:
            stmt = stmt.where(_after(sort, parsed))
        result = await session.execute(stmt.order_by(*_ordering(sort)).limit(limit + 1), params)
        if scalars is None:
            scalars = len(stmt.column_descriptions) == 1
    rows: list[Any] = list(result.scalars() if scalars else result.all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        raw = values(last) if values else [_attribute(last, k.column) for k in sort]
        next_cursor = encode_cursor([_written(v) for v in raw])
    return _ANY_PAGE(items=rows, next=next_cursor)
