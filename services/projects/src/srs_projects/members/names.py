"""A project's members with their names: the name on each researcher record (the
projects service's read model of researchers), else the name the lead gave."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_projects.models import ProjectMember, ResearcherOrganisation


async def researcher_names(session: AsyncSession, researcher_ids: list[str]) -> dict[str, str]:
    """The names on the researcher records the service knows, by researcher id."""
    if not researcher_ids:
        return {}
    found = await session.execute(
        select(ResearcherOrganisation.researcher_id, ResearcherOrganisation.name).where(
            ResearcherOrganisation.researcher_id.in_(set(researcher_ids)),
            ResearcherOrganisation.name.is_not(None),
        )
    )
    return {researcher_id: name for researcher_id, name in found.all() if name}


async def named_members_of(session: AsyncSession, project_id: str) -> list[dict[str, Any]]:
    """The project's members, each with the name on their researcher record (the name the
    lead gave when adding them until that record is known); one statement."""
    rows = await session.execute(
        select(ProjectMember, ResearcherOrganisation.name)
        .outerjoin(
            ResearcherOrganisation,
            ResearcherOrganisation.researcher_id == ProjectMember.researcher_id,
        )
        .where(ProjectMember.project_id == project_id)
        .order_by(ProjectMember.researcher_id)
    )
    return [
        {
            **{c.key: getattr(m, c.key) for c in ProjectMember.__table__.columns},
            "name": name or m.name,
        }
        for m, name in rows.all()
    ]
