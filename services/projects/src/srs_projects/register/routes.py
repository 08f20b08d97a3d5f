"""The public register's route (no token needed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from srs_common.db import SessionDep
from srs_common.errors import problem_responses
from srs_common.pagination import Cursor, Limit, Page
from srs_projects.register import service
from srs_projects.register.schemas import RegisterEntry

router = APIRouter(prefix="/v1/register", tags=["public register"])


@router.get(
    "/projects",
    response_model=Page[RegisterEntry],
    summary="Public register of accredited projects (no token needed)",
    responses=problem_responses(422),
)
async def project_register(
    session: SessionDep,
    q: Annotated[
        str | None, Query(max_length=200, description="search title, lay summary, organisation")
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[RegisterEntry]:
    """The public register of approved projects and what the public may know of them. No token
    needed; keyset pagination."""
    return await service.search_register(session, q=q, limit=limit, cursor=cursor)
