"""The public directory of organisations: names for the ids other services' answers
carry (a researcher's or a project's organisation), so pages show names, never ids."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from srs_access.models import Organisation
from srs_access.schemas.directory import OrganisationName
from srs_common.db import SessionDep

router = APIRouter(prefix="/v1", tags=["organisations"])


@router.get(
    "/organisation-names",
    response_model=list[OrganisationName],
    summary="Every organisation's id and name (public)",
)
async def organisation_names(session: SessionDep) -> list[OrganisationName]:
    """Every organisation's id and name, by name: public, as the sign-up page's list of
    organisations is. Nothing of an organisation's agreement or contact."""
    rows = await session.execute(select(Organisation).order_by(Organisation.name, Organisation.id))
    return [OrganisationName.model_validate(o) for o in rows.scalars()]
