"""Applications as they read, each with the applicant's name from their researcher record
(so the panel's queue and pages name people rather than show their ids)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_accreditation.models import Application, Researcher
from srs_accreditation.schemas import ApplicationRead


async def application_reads(
    session: AsyncSession, applications: list[Application]
) -> list[ApplicationRead]:
    """The applications with ``researcher_name`` filled in (one query for the lot)."""
    ids = {a.researcher_id for a in applications}
    names: dict[str, str] = {}
    if ids:
        rows = await session.execute(
            select(Researcher.id, Researcher.name).where(Researcher.id.in_(ids))
        )
        names = {researcher_id: name for researcher_id, name in rows.all()}
    return [
        ApplicationRead.model_validate(a).model_copy(
            update={"researcher_name": names.get(a.researcher_id)}
        )
        for a in applications
    ]


async def application_read(session: AsyncSession, application: Application) -> ApplicationRead:
    """One application with its applicant's name."""
    return (await application_reads(session, [application]))[0]
