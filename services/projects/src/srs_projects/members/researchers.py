"""What the service knows of researchers from other services' events: every
accreditation each holds (the best current one decides) and their organisation and name."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.contracts.accreditation import (
    AccreditationExpired,
    AccreditationGranted,
    AccreditationReinstated,
    AccreditationRenewed,
    AccreditationRevoked,
    AccreditationSuspended,
)
from srs_common.db import utcnow
from srs_projects import domain
from srs_projects.models import ResearcherAccreditation, ResearcherOrganisation

AccreditationState = (
    AccreditationGranted
    | AccreditationRenewed
    | AccreditationExpired
    | AccreditationSuspended
    | AccreditationReinstated
    | AccreditationRevoked
)


async def accreditation_of(
    session: AsyncSession, researcher_id: str, today: dt.date | None = None
) -> domain.Accreditation | None:
    """The accreditation that decides, of every one the researcher holds."""
    rows = (
        (
            await session.execute(
                select(ResearcherAccreditation).where(
                    ResearcherAccreditation.researcher_id == researcher_id
                )
            )
        )
        .scalars()
        .all()
    )
    return domain.best_accreditation(
        [
            domain.Accreditation(kind=r.kind, status=r.status, valid_until=r.valid_until)
            for r in rows
        ],
        today or utcnow().date(),
    )


async def organisation_of(session: AsyncSession, researcher_id: str) -> str | None:
    row = await session.get(ResearcherOrganisation, researcher_id)
    return row.organisation_id if row is not None else None


async def record_organisation(
    session: AsyncSession,
    researcher_id: str,
    organisation_id: str,
    at: dt.datetime,
    *,
    from_researcher_record: bool,
    name: str | None = None,
) -> None:
    """Keep the researcher's organisation (and name): the researcher record's newest event
    decides; an accreditation event's organisation only stands in until such an event
    arrives."""
    row = await session.get(ResearcherOrganisation, researcher_id, with_for_update=True)
    if row is None:
        session.add(
            ResearcherOrganisation(
                researcher_id=researcher_id,
                organisation_id=organisation_id,
                name=name,
                from_researcher_record=from_researcher_record,
                as_of=at,
            )
        )
    else:
        outranks = from_researcher_record and not row.from_researcher_record
        same_rank_newer = from_researcher_record == row.from_researcher_record and row.as_of <= at
        if outranks or same_rank_newer:
            row.organisation_id = organisation_id
            row.name = name or row.name
            row.from_researcher_record = from_researcher_record
            row.as_of = at
    await session.flush()
