"""The public register of accredited projects (no token needed)."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.pagination import Page, encode_cursor
from srs_projects import domain
from srs_projects.models import Project
from srs_projects.schemas import RegisterEntry
from srs_projects.service import time_cursor


async def search_register(
    session: AsyncSession, *, q: str | None, limit: int, cursor: str | None
) -> Page[RegisterEntry]:
    """Accredited projects, newest accreditation first; ``q`` matches title, lay summary
    or organisation (case-insensitive)."""
    stmt = select(Project).where(
        Project.status.in_([s.value for s in domain.ACCREDITED]), Project.approved_at.is_not(None)
    )
    if q:
        term = q.lower()
        stmt = stmt.where(
            or_(
                *(
                    func.lower(column).contains(term, autoescape=True)
                    for column in (Project.title, Project.lay_summary, Project.organisation_id)
                )
            )
        )
    after = time_cursor(cursor)
    if after:
        approved, last_id = after
        stmt = stmt.where(
            or_(
                Project.approved_at < approved,
                and_(Project.approved_at == approved, Project.id < last_id),
            )
        )
    rows = (
        (
            await session.execute(
                stmt.order_by(Project.approved_at.desc(), Project.id.desc()).limit(limit + 1)
            )
        )
        .scalars()
        .all()
    )
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        assert last.approved_at is not None
        next_cursor = encode_cursor([last.approved_at.isoformat(), last.id])
    return Page(items=[RegisterEntry.model_validate(p) for p in page], next=next_cursor)
