"""Directories: names for the ids other services' answers carry, so pages show names,
never ids. Organisations' names are public (the sign-up page lists them); staff logins'
names are for staff (who reviewed an output, who decided an application)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from srs_access.models import Organisation, User
from srs_access.oidc.models import AccountProfile
from srs_access.schemas.directory import OrganisationName, StaffName
from srs_common.auth import Principal, require_roles
from srs_common.db import SessionDep
from srs_common.errors import problem_responses

router = APIRouter(prefix="/v1", tags=["organisations"])
staff_router = APIRouter(prefix="/v1", tags=["staff"])

#: The roles of the people who run the service (researchers and partners are not staff).
STAFF_ROLES = ("panel", "checker", "support", "ops", "data_owner")
Staff = Annotated[Principal, Depends(require_roles(*STAFF_ROLES))]


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


@staff_router.get(
    "/staff-names",
    response_model=list[StaffName],
    summary="The names of staff logins (staff only)",
    responses=problem_responses(401, 403, 422),
)
async def staff_names(
    session: SessionDep,
    _: Staff,
    username: Annotated[
        list[str],
        Query(min_length=1, max_length=50, examples=[["checker", "checker2"]]),
    ],
) -> list[StaffName]:
    """The names of the staff logins asked for (up to 50), by login: what a checker's
    page shows for the other checker's vote, a panel member's for who decided. Only
    logins that hold a staff role and have a name are answered; any other login asked
    for (a researcher's, an unknown one) is left out, so this names no researcher: their
    names come from the services that hold their profiles. Nothing but the name."""
    wanted = {name for name in username if len(name) <= 100}
    if not wanted:
        return []
    rows = await session.execute(
        select(User.username, User.roles, AccountProfile.name)
        .join(AccountProfile, AccountProfile.username == User.username)
        .where(User.username.in_(wanted))
        .order_by(User.username)
    )
    return [
        StaffName(username=login, name=name)
        for login, roles, name in rows
        if set(roles).intersection(STAFF_ROLES) and not set(roles).intersection({"researcher"})
    ]
