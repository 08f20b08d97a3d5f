"""The public register of accredited and approved researchers (no token needed)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_accreditation.models import Accreditation, Researcher
from srs_common.errors import AppError
from srs_common.pagination import decode_cursor, encode_cursor


async def search_register(
    session: AsyncSession, *, q: str | None, status: str | None, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Entries (in ``RegisterEntry``'s shape) ordered by name, searchable by name or
    organisation (case-insensitive).

    Only public columns are selected, so a private field cannot slip into a response."""
    stmt = (
        select(
            Researcher.name,
            Researcher.organisation_id,
            Accreditation.kind,
            Accreditation.valid_from,
            Accreditation.valid_until,
            Accreditation.status,
            Accreditation.id,
        )
        .join(Researcher, Researcher.id == Accreditation.researcher_id)
        .order_by(Researcher.name, Accreditation.id)
        .limit(limit + 1)
    )
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
    after = decode_cursor(cursor)
    if after:
        if len(after) != 2:
            raise AppError(
                "the cursor is not one this API issued", status=422, title="Invalid cursor"
            )
        name, last_id = str(after[0]), str(after[1])
        stmt = stmt.where(
            or_(Researcher.name > name, (Researcher.name == name) & (Accreditation.id > last_id))
        )
    rows = (await session.execute(stmt)).all()
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_cursor([rows[limit - 1].name, rows[limit - 1].id])
    entries = [
        {
            "name": r.name,
            "organisation": r.organisation_id,
            "kind": r.kind,
            "valid_from": r.valid_from,
            "valid_until": r.valid_until,
            "status": r.status,
        }
        for r in rows[:limit]
    ]
    return entries, next_cursor
