"""Project spaces and their data accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from srs_access import linkage, spaces
from srs_access.schemas.spaces import AccountRead, LinkedExtractRead, ProjectSpaceRead
from srs_common.auth import CurrentPrincipal
from srs_common.db import SessionDep
from srs_common.errors import NotFound, problem_responses

router = APIRouter(prefix="/v1", tags=["project spaces"])


@router.get(
    "/project-spaces/{project_id}",
    response_model=ProjectSpaceRead,
    summary="A project's space, mapped datasets and accounts (staff; a member sees "
    "their own account only)",
    responses=problem_responses(401, 404, 422),
)
async def read_project_space(
    project_id: Annotated[str, Path(max_length=40)],
    session: SessionDep,
    principal: CurrentPrincipal,
) -> ProjectSpaceRead:
    """The project's secure space: the datasets mapped into it and the researchers' accounts
    (enabled or not). Staff see everything; a member sees only their own account."""
    staff = principal.has("support", "ops")
    member = principal.researcher_id is not None and await spaces.is_active_member(
        session, project_id, principal.researcher_id
    )
    if not (staff or member):
        raise NotFound(f"no project space for project {project_id}")
    space = await spaces.get_project_space(session, project_id)
    accounts = await spaces.accounts_of(session, project_id)
    if not staff:
        accounts = [a for a in accounts if a.researcher_id == principal.researcher_id]
    read = ProjectSpaceRead.model_validate(space)
    read.accounts = [AccountRead.model_validate(a) for a in accounts]
    read.linked_extracts = [
        LinkedExtractRead.model_validate(e) for e in await linkage.extracts_of(session, project_id)
    ]
    return read
