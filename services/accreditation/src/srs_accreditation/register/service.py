"""The public register of accredited and approved researchers (no token needed)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_accreditation.domain import Kind, recognised_by
from srs_accreditation.models import Accreditation, Researcher
from srs_common.pagination import Keyset, keyset_page

# The same few lines on every entry of a kind: built once (serialised, never changed).
_RECOGNISED_BY = {kind.value: recognised_by(kind) for kind in Kind}


def _register(*, search: bool, by_status: bool) -> Keyset:
    """The register's select, ordered by name, searched by name or organisation (the
    ``pattern`` parameter, a LIKE pattern of the lower-cased needle) and by status.
    Only public columns are selected, so a private field cannot slip into a response."""
    stmt = select(
        Researcher.name,
        Researcher.organisation_id,
        Accreditation.kind,
        Accreditation.valid_from,
        Accreditation.valid_until,
        Accreditation.status,
        Accreditation.id,
    ).join(Researcher, Researcher.id == Accreditation.researcher_id)
    if search:
        pattern = bindparam("pattern", type_=String)
        stmt = stmt.where(
            or_(
                func.lower(Researcher.name).like(pattern, escape=_ESCAPE),
                func.lower(Researcher.organisation_id).like(pattern, escape=_ESCAPE),
            )
        )
    if by_status:
        stmt = stmt.where(Accreditation.status == bindparam("status", type_=String))
    return Keyset(stmt, [Researcher.name, Accreditation.id])


_ESCAPE = "/"
# The hottest public read: its four selects are built once, not per request.
_REGISTER = {
    (search, by_status): _register(search=search, by_status=by_status)
    for search in (False, True)
    for by_status in (False, True)
}


def contains_pattern(needle: str) -> str:
    """A LIKE pattern matching text that contains ``needle`` as typed (its ``%``, ``_``
    and the escape character match themselves)."""
    for special in (_ESCAPE, "%", "_"):
        needle = needle.replace(special, _ESCAPE + special)
    return f"%{needle}%"


async def search_register(
    session: AsyncSession, *, q: str | None, status: str | None, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Entries (in ``RegisterEntry``'s shape) ordered by name, searchable by name or
    organisation (case-insensitive)."""
    page = await keyset_page(
        session,
        _REGISTER[bool(q), bool(status)],
        cursor=cursor,
        limit=limit,
        params={"pattern": contains_pattern(q.lower()) if q else None, "status": status},
    )
    entries = [
        {
            "name": r.name,
            "organisation": r.organisation_id,
            "kind": r.kind,
            "valid_from": r.valid_from,
            "valid_until": r.valid_until,
            "status": r.status,
            "recognised_by": _RECOGNISED_BY[r.kind],
        }
        for r in page.items
    ]
    return entries, page.next
