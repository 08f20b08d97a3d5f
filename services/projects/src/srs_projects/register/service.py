"""The public register of accredited projects: search and order (no token needed)."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.pagination import Page, desc, keyset_page
from srs_projects import domain
from srs_projects.models import Project
from srs_projects.register.schemas import RegisterEntry


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
    page = await keyset_page(
        session,
        stmt,
        [desc(Project.approved_at), desc(Project.id)],
        cursor=cursor,
        limit=limit,
    )
    return page.map(RegisterEntry.model_validate)
