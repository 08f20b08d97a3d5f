"""The public register of accredited and approved researchers (no token needed)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_accreditation.domain import Kind, recognised_by
from srs_accreditation.models import Accreditation, Researcher
from srs_common.pagination import keyset_page

# The same few lines on every entry of a kind: built once (serialised, never changed).
_RECOGNISED_BY = {kind.value: recognised_by(kind) for kind in Kind}


async def search_register(
    session: AsyncSession, *, q: str | None, status: str | None, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Entries (in ``RegisterEntry``'s shape) ordered by name, searchable by name or
    organisation (case-insensitive).

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
    if q:
        needle = q.lower()
        stmt = stmt.where(
            or_(
                func.lower(Researcher.name).contains(needle, autoescape=True),
                func.lower(Researcher.organisation_id).contains(needle, autoescape=True),
            )
        )
    if status:
        stmt = stmt.where(Accreditation.status == status)
    page = await keyset_page(
        session, stmt, [Researcher.name, Accreditation.id], cursor=cursor, limit=limit
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
