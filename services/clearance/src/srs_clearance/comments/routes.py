"""Comments on a request."""

from __future__ import annotations

from fastapi import APIRouter, status

from srs_clearance.comments import service
from srs_clearance.comments.schemas import CommentCreate, CommentRead
from srs_clearance.deps import CHANGE_ERRORS, NOT_VISIBLE
from srs_clearance.models import Comment
from srs_common.auth import CurrentPrincipal
from srs_common.context import Now
from srs_common.db import SessionDep
from srs_common.errors import problem_responses

router = APIRouter(prefix="/v1", tags=["clearance"])


@router.post(
    "/outputs/{output_id}/comments",
    status_code=status.HTTP_201_CREATED,
    response_model=CommentRead,
    summary="Comment: private (checkers only) or shared with the requester",
    responses=CHANGE_ERRORS,
)
async def add_comment(
    output_id: str, data: CommentCreate, session: SessionDep, principal: CurrentPrincipal, now: Now
) -> Comment:
    """A comment on the request: private (checkers only) or shared with the requester."""
    return await service.add_comment(session, principal, output_id, data, now)


@router.get(
    "/outputs/{output_id}/comments",
    response_model=list[CommentRead],
    summary="Comments the caller may read (private ones: checkers only)",
    responses=problem_responses(401, NOT_VISIBLE),
)
async def list_comments(
    output_id: str, session: SessionDep, principal: CurrentPrincipal
) -> list[Comment]:
    """The comments the caller may read, oldest first; private ones only for checkers."""
    return await service.list_comments(session, principal, output_id)
