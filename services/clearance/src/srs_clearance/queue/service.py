"""The checkers' queue: open requests, priority projects first, then the earliest due."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_clearance import domain
from srs_clearance.models import (
    OutputRequest,
    ProjectView,
)
from srs_common.pagination import desc, keyset_page


async def checkers_queue(
    session: AsyncSession, *, limit: int, cursor: str | None
) -> tuple[list[tuple[OutputRequest, bool, str | None]], str | None]:
    """Open requests, priority projects first, then the earliest due; each with whether its
    project has priority and the project's title."""
    priority = func.coalesce(ProjectView.priority, False)
    stmt = (
        select(OutputRequest, priority, ProjectView.title)
        .outerjoin(ProjectView, ProjectView.id == OutputRequest.project_id)
        .where(OutputRequest.status.in_(list(domain.OPEN)))
    )
    page = await keyset_page(
        session,
        stmt,
        [desc(priority), OutputRequest.due_at, OutputRequest.id],
        cursor=cursor,
        limit=limit,
        values=lambda row: [bool(row[1]), row[0].due_at, row[0].id],
    )
    return [(row[0], bool(row[1]), row[2]) for row in page.items], page.next
