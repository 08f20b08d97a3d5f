"""Names for the ids a resource mentions: researchers by the name on their record,
projects by the title they were approved with, datasets by their catalogue title. Only
what the read models know; a page shows the id for the rest."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_access.models import Dataset, HomeWorkingRequest, ProjectView, ResearcherView


async def known_names(
    session: AsyncSession,
    *,
    researcher_ids: Iterable[str] = (),
    project_ids: Iterable[str] = (),
    dataset_ids: Iterable[str] = (),
) -> dict[str, str]:
    """One query per kind, for the ids given; ids are distinct across kinds by prefix."""
    names: dict[str, str] = {}
    for column, key, wanted in (
        (ResearcherView.name, ResearcherView.researcher_id, set(researcher_ids)),
        (ProjectView.title, ProjectView.project_id, set(project_ids)),
        (Dataset.title, Dataset.id, set(dataset_ids)),
    ):
        if wanted:
            rows = await session.execute(
                select(key, column).where(key.in_(wanted), column.is_not(None))
            )
            names.update({str(k): str(v) for k, v in rows})
    return names


async def names_of_request(session: AsyncSession, request: HomeWorkingRequest) -> dict[str, str]:
    """The names a home-working request's page needs: who submitted it, its researchers,
    its projects and its datasets."""
    return await known_names(
        session,
        researcher_ids=[request.submitted_by, *request.researcher_ids],
        project_ids=request.project_ids,
        dataset_ids=list(request.dataset_owners),
    )
