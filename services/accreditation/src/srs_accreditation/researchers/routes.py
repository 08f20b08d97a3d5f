"""Routes of /v1/researchers: profiles, organisation changes, a researcher's accreditations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from srs_accreditation.accreditations import visibility as accreditations_visibility
from srs_accreditation.deps import Researcher, ResearcherReader, Support
from srs_accreditation.researchers import organisation, profile, visibility
from srs_accreditation.schemas import (
    AccreditationRead,
    OrganisationChangeCreate,
    OrganisationChangeRead,
    ResearcherCreate,
    ResearcherRead,
    ResearcherUpdate,
)
from srs_common.db import SessionDep
from srs_common.errors import problem_responses
from srs_common.pagination import Cursor, Limit, Page

researchers = APIRouter(prefix="/researchers", tags=["researchers"])


@researchers.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ResearcherRead,
    summary="Register the caller's researcher profile (id and organisation from the token)",
    responses=problem_responses(
        401,
        403,
        {
            409: "a profile with this researcher id exists",
            422: "invalid input, or "
            "a body organisation other than the token's (`organisation_from_identity`) "
            "(the problem names the `rule`)",
        },
    ),
)
async def register_researcher(
    data: ResearcherCreate, session: SessionDep, principal: Researcher
) -> Any:
    """Creates the profile of the signed-in researcher: the researcher id and the organisation come
    from the token, never from the body. Answers the profile (201); 409 if the profile exists."""
    return await profile.register_researcher(session, principal, data)


@researchers.get(
    "",
    response_model=Page[ResearcherRead],
    summary="List researchers (support: all; partner: its organisation; researcher: themself)",
    responses=problem_responses(401, 403, 422),
)
async def list_researchers(
    session: SessionDep,
    principal: ResearcherReader,
    q: Annotated[
        str | None, Query(max_length=200, description="part of the id, name or e-mail")
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Keyset pagination (`limit`, `cursor`): support sees every profile, a partner client the
    researchers of its organisation, a researcher only themself; `q` finds by id, name or
    e-mail (any case)."""
    items, next_cursor = await profile.list_researchers(
        session, principal, limit=limit, cursor=cursor, q=q
    )
    return Page[ResearcherRead](
        items=[ResearcherRead.model_validate(r) for r in items], next=next_cursor
    )


@researchers.get(
    "/{researcher_id}",
    response_model=ResearcherRead,
    summary="Read a researcher profile",
    responses=problem_responses(
        401, 403, 422, {404: "no such researcher, or not the caller's to see"}
    ),
)
async def read_researcher(
    researcher_id: str, session: SessionDep, principal: ResearcherReader
) -> Any:
    """One profile with its qualifications. A profile the caller may not see answers 404, like one
    that does not exist."""
    return await visibility.visible_researcher(session, principal, researcher_id)


@researchers.patch(
    "/{researcher_id}",
    response_model=ResearcherRead,
    summary="Edit the caller's own profile (the organisation only support changes)",
    responses=problem_responses(
        401,
        403,
        {
            404: "no such researcher, or not the caller's own",
            422: "invalid input, or "
            "another organisation (`organisation_from_identity`) (the problem names the `rule`)",
        },
    ),
)
async def update_researcher(
    researcher_id: str, data: ResearcherUpdate, session: SessionDep, principal: Researcher
) -> Any:
    """Changes the caller's own name, e-mail or qualifications; the organisation is changed only by
    support (`POST .../organisation`)."""
    return await profile.update_researcher(session, principal, researcher_id, data)


@researchers.post(
    "/{researcher_id}/organisation",
    response_model=ResearcherRead,
    summary="Move a researcher to another organisation, with a reason (support; "
    "recorded and published)",
    responses=problem_responses(
        401,
        403,
        422,
        {404: "no such researcher", 409: "the researcher is already of that organisation"},
    ),
)
async def change_organisation(
    researcher_id: str, data: OrganisationChangeCreate, session: SessionDep, principal: Support
) -> Any:
    """Support moves a researcher to another organisation with a reason; the change is recorded in
    the organisation history and published as an event."""
    return await organisation.change_organisation(session, principal, researcher_id, data)


@researchers.get(
    "/{researcher_id}/organisation-changes",
    response_model=list[OrganisationChangeRead],
    summary="A researcher's organisation history: who moved them, when and why (support)",
    responses=problem_responses(401, 403, 422, {404: "no such researcher"}),
)
async def organisation_changes(researcher_id: str, session: SessionDep, principal: Support) -> Any:
    """Every organisation move of the researcher, oldest first, with who made it, when and the
    reason given. Support only."""
    return await organisation.organisation_changes(session, researcher_id)


@researchers.get(
    "/{researcher_id}/accreditations",
    response_model=list[AccreditationRead],
    summary="A researcher's accreditations, current and past",
    responses=problem_responses(
        401, 403, 422, {404: "no such researcher, or not the caller's to see"}
    ),
)
async def researcher_accreditations(
    researcher_id: str, session: SessionDep, principal: ResearcherReader
) -> Any:
    """The researcher's accreditations, current and past, with their status and validity dates;
    visible to whoever may read the profile."""
    return await accreditations_visibility.researcher_accreditations(
        session, principal, researcher_id
    )
