"""Route of /v1/register: the public register (no token)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic_core import to_json

from srs_accreditation.deps import ReadSession
from srs_accreditation.register import service
from srs_accreditation.schemas import RegisterEntry
from srs_common.errors import problem_responses
from srs_common.pagination import Cursor, Limit, Page

public = APIRouter(prefix="/register", tags=["public register"])


@public.get(
    "",
    response_model=Page[RegisterEntry],
    summary="The public register of accredited and approved researchers (no token)",
    responses=problem_responses(422),
)
async def read_register(
    session: ReadSession,
    q: Annotated[str | None, Query(max_length=200, description="name or organisation")] = None,
    status_: Annotated[
        Literal["current", "expired", "suspended", "revoked"] | None, Query(alias="status")
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """The public register: accredited and approved researchers with their organisation, without
    personal contact details. No token needed; keyset pagination."""
    items, next_cursor = await service.search_register(
        session, q=q, status=status_, limit=limit, cursor=cursor
    )
    # Built by our own code from public columns in RegisterEntry's shape: serialised
    # straight to JSON, without validating 50 models twice on the hottest public read.
    return Response(to_json({"items": items, "next": next_cursor}), media_type="application/json")
