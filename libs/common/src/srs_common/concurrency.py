"""Concurrent edits: strong ETags and ``If-Match`` on resources two staff can edit at once.

A resource's version is a strong hash of its stored rows: SHA-256 over each row's table
name and every mapped column value (canonical JSON), so any change by any path - a route,
an event handler, a job - gives a new tag without anyone remembering to bump a counter,
and a computed field of the answer (a flag derived from today's date, what the caller may
see) never moves it. A resource made of several rows (a site and its closures) hashes
them together.

- A read sets ``ETag`` with :func:`set_etag` from the rows it read.
- A write takes ``versioned: Versioned``: :meth:`Preconditions.lock` reads the resource's
  row ``FOR UPDATE`` (PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises
  writers), :meth:`Preconditions.require` compares ``If-Match`` with the tag of what is
  stored now and refuses a stale one with ``412`` problem+json naming the resource and
  its current tag (nothing is written: the request's transaction rolls back), and
  :meth:`Preconditions.tag` sets the new ``ETag`` on the answer after the write.
- No ``If-Match``, or ``If-Match: *``, writes as before: the header is optional.
- Comparison is strong (RFC 9110 section 8.8.3.2): a weak tag ``W/"..."`` never matches.

Two writers holding the same tag: the first takes the row lock and commits a new version;
the second waits on the lock, then reads the committed row, whose tag no longer matches,
and gets 412. Exactly one wins.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import hashlib
import json
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Response
from sqlalchemy import Select, inspect
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.errors import PreconditionFailed

T = TypeVar("T")

IF_MATCH_DESCRIPTION = (
    "The resource's `ETag` as last read. When it no longer matches what is stored "
    "(someone else changed the resource meanwhile) the write is refused with 412 and "
    "nothing is written. Optional: without it, or with `*`, the write goes ahead."
)
ETAG_DESCRIPTION = (
    "Strong entity tag of the resource's stored version; send it back as `If-Match` "
    "to refuse the write if someone else changed the resource meanwhile."
)


def _scalar(value: Any) -> Any:
    """A JSON form of a column value that the standard encoder does not know."""
    if isinstance(value, dt.datetime):
        return (value.astimezone(dt.UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)


def entity_tag(*rows: object) -> str:
    """The strong ETag (quoted) of a resource stored as these parts, in this order: ORM
    rows (every mapped column), or plain values read from storage that is no row of the
    resource's own (a project's decisions, kept in the audit log)."""
    digest = hashlib.sha256()
    for row in rows:
        state = inspect(row, raiseerr=False)
        mapper = getattr(state, "mapper", None)
        if mapper is None:
            part: list[Any] = ["value", row]
        else:
            values = {attr.key: getattr(row, attr.key) for attr in mapper.column_attrs}
            part = [mapper.persist_selectable.name, values]
        digest.update(
            json.dumps(part, sort_keys=True, separators=(",", ":"), default=_scalar).encode()
        )
        digest.update(b"\n")
    return f'"{digest.hexdigest()[:32]}"'


def set_etag(response: Response, *rows: object) -> str:
    """Set ``ETag`` on a read's answer from the rows just read; returns the tag."""
    tag = entity_tag(*rows)
    response.headers["ETag"] = tag
    return tag


def if_match_tags(value: str) -> list[str] | None:
    """The entity tags of an ``If-Match`` value; ``None`` for ``*`` (any version)."""
    if value.strip() == "*":
        return None
    return [tag.strip() for tag in value.split(",") if tag.strip()]


def require_match(if_match: str | None, current: str, *, resource: str) -> None:
    """Refuse with 412 when ``If-Match`` names tags and none is ``current`` (strong
    comparison: a weak tag never matches). No header, or ``*``, always passes."""
    if if_match is None:
        return
    tags = if_match_tags(if_match)
    if tags is None or current in tags:
        return
    raise PreconditionFailed(
        f"{resource} was changed by someone else since you read it; "
        "read it again and redo your change",
        resource=resource,
        current_etag=current,
        headers={"ETag": current},
    )


class Preconditions:
    """The ``If-Match`` of one write request and the response whose ``ETag`` it sets."""

    def __init__(self, response: Response, if_match: str | None = None) -> None:
        self.response = response
        self.if_match = if_match

    async def lock(self, session: AsyncSession, statement: Select[T]) -> T | None:
        """The resource's row, locked until the request's transaction ends
        (``SELECT ... FOR UPDATE``) and read afresh (what another writer committed while
        this one waited); ``None`` when there is none (the use case answers 404).

        Put the caller's visibility condition in ``statement``: a resource the caller may
        not see must stay a 404, never a 412 that reveals its tag."""
        result = await session.execute(
            statement.with_for_update().execution_options(populate_existing=True)
        )
        return result.scalars().first()

    @property
    def conditional(self) -> bool:
        """Whether ``If-Match`` names tags to check (not absent, not ``*``): a write may
        skip reading what only its version needs when there is nothing to compare."""
        return self.if_match is not None and if_match_tags(self.if_match) is not None

    def require(self, resource: str, *rows: object) -> None:
        """412 unless ``If-Match`` matches the rows as stored now (or is absent or ``*``).
        ``resource`` names it for a person: ``dataset ds-ashe-2021``."""
        if rows and rows[0] is not None:
            require_match(self.if_match, entity_tag(*rows), resource=resource)

    async def tag(self, session: AsyncSession, *rows: object) -> str:
        """After the write: flush, read the rows back as stored and set the new ``ETag``."""
        await session.flush()
        for row in rows:
            if getattr(inspect(row, raiseerr=False), "mapper", None) is not None:
                await session.refresh(row)
        return set_etag(self.response, *rows)


async def preconditions(
    response: Response,
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            max_length=1000,
            description=IF_MATCH_DESCRIPTION,
            examples=['"5d41402abc4b2a76b9719d911017c592"'],
        ),
    ] = None,
) -> Preconditions:
    """The dependency behind :data:`Versioned`. ``async def``: FastAPI would run the class
    itself (a plain ``__init__``) in its thread pool, a thread hop on every write."""
    return Preconditions(response, if_match)


#: A write route's preconditions: ``async def route(..., versioned: Versioned)``.
Versioned = Annotated[Preconditions, Depends(preconditions)]


def etag_documented(status: int = 200) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entry documenting the ``ETag`` header of a route's success answer;
    merge it with :func:`srs_common.errors.problem_responses` (which documents 412)."""
    return {
        status: {
            "headers": {"ETag": {"description": ETAG_DESCRIPTION, "schema": {"type": "string"}}}
        }
    }
