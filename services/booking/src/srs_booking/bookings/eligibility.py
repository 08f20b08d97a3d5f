"""What the read models know of a researcher and a project: the facts a booking is judged on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, and_, bindparam, case, exists, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from srs_booking import domain
from srs_booking.models import (
    KnownAccreditation,
    KnownDataset,
    KnownMember,
    KnownProject,
    SecurityDeclaration,
)
from srs_booking.settings import BookingSettings

# A researcher may hold several accreditations at once (an old provisional and a new
# full): the best comes first, a current one before any other, then the one that lasts
# longest. Booking and the cascades judge the researcher by that one.
BEST_ACCREDITATION_FIRST = (
    case((KnownAccreditation.status == domain.CURRENT_ACCREDITATION, 0), else_=1),
    KnownAccreditation.valid_until.desc(),
    KnownAccreditation.changed_at.desc(),
    KnownAccreditation.accreditation_id,
)


async def best_accreditation(
    session: AsyncSession, researcher_id: str
) -> KnownAccreditation | None:
    """The researcher's best accreditation, or None if none is known."""
    return (
        await session.execute(
            select(KnownAccreditation)
            .where(KnownAccreditation.researcher_id == researcher_id)
            .order_by(*BEST_ACCREDITATION_FIRST)
            .limit(1)
        )
    ).scalar_one_or_none()


def _eligibility_columns() -> list[Any]:
    """Every read-model fact a booking needs, each a scalar subquery on a primary key, so
    that they share one round trip with whatever else the caller selects. Values are
    bound per call: ``researcher_id``, ``project_id`` and ``version``."""
    researcher_id: BindParameter[str] = bindparam("researcher_id")
    project_id: BindParameter[str] = bindparam("project_id")
    acc, member, project = (
        KnownAccreditation.__table__,
        KnownMember.__table__,
        KnownProject.__table__,
    )
    declaration = SecurityDeclaration.__table__

    def one(column: Any, *where: Any) -> Any:
        return select(column).where(*where).scalar_subquery()

    def best(column: Any) -> Any:
        return (
            select(column)
            .where(acc.c.researcher_id == researcher_id)
            .order_by(*BEST_ACCREDITATION_FIRST)
            .limit(1)
            .scalar_subquery()
        )

    member_key = and_(member.c.project_id == project_id, member.c.researcher_id == researcher_id)
    return [
        best(acc.c.status).label("acc_status"),
        best(acc.c.valid_until).label("acc_valid_until"),
        one(member.c.active, member_key).label("member_active"),
        one(project.c.status, project.c.id == project_id).label("project_status"),
        one(project.c.dataset_ids, project.c.id == project_id).label("dataset_ids"),
        exists()
        .where(
            declaration.c.researcher_id == researcher_id,
            declaration.c.version == bindparam("version"),
        )
        .label("declared"),
    ]


#: Built once (compiled statements are cached by their structure).
ELIGIBILITY_COLUMNS = _eligibility_columns()


def eligibility_params(
    researcher_id: str, project_id: str, settings: BookingSettings
) -> dict[str, str]:
    """The values ``ELIGIBILITY_COLUMNS`` are bound to."""
    return {
        "researcher_id": researcher_id,
        "project_id": project_id,
        "version": settings.declaration_version,
    }


async def eligibility_from(conn: AsyncConnection, row: Any) -> domain.Eligibility:
    """The facts from a row holding ``ELIGIBILITY_COLUMNS``, with the levels of the
    project's datasets (one more round trip, if the project names any)."""
    dataset_ids = list(row.dataset_ids or [])
    levels: dict[str, str | None] = dict.fromkeys(dataset_ids)
    if dataset_ids:
        rows = await conn.execute(
            select(KnownDataset.id, KnownDataset.access_level).where(
                KnownDataset.id.in_(dataset_ids)
            )
        )
        levels.update({r.id: r.access_level for r in rows})
    return domain.Eligibility(
        declaration_signed=bool(row.declared),
        accreditation_status=row.acc_status,
        accreditation_valid_until=row.acc_valid_until,
        member_active=row.member_active,
        project_status=row.project_status,
        dataset_levels=levels,
    )
