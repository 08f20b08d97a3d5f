"""Reading output requests: the list, one request, its status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from srs_clearance.deps import NOT_VISIBLE, READ_ERRORS, OutputStatusReader
from srs_clearance.models import OutputRequest
from srs_clearance.outputs import service, visibility
from srs_clearance.outputs.schemas import OutputListItem, OutputRead, OutputStatusRead
from srs_clearance.outputs.service import output_read
from srs_common.auth import CurrentPrincipal
from srs_common.concurrency import etag_documented, set_etag
from srs_common.context import Now
from srs_common.db import SessionDep
from srs_common.errors import problem_responses
from srs_common.pagination import Cursor, Limit, Page

router = APIRouter(prefix="/v1", tags=["clearance"])


@router.get(
    "/outputs",
    response_model=Page[OutputListItem],
    summary="List the output requests the caller may see (statuses and titles)",
    responses=problem_responses(401, 403),
)
async def list_outputs(
    session: SessionDep,
    principal: OutputStatusReader,
    limit: Limit = 50,
    cursor: Cursor = None,
    project_id: Annotated[str | None, Query(max_length=60)] = None,
    output_status: Annotated[str | None, Query(alias="status", max_length=30)] = None,
) -> Page[OutputListItem]:
    """Keyset pagination (`limit`, `cursor`): requesters see their projects' requests, checkers the
    ones they may review, each with its status and title; partner clients statuses only (their
    organisation's requests, no title)."""
    rows, next_cursor = await service.list_outputs(
        session, principal, project_id=project_id, status=output_status, limit=limit, cursor=cursor
    )
    titled = principal.has("support", "checker", "researcher")  # the roles list_outputs serves
    return Page[OutputListItem](
        items=[
            OutputListItem.model_validate(r).model_copy(
                update={"title": r.title if titled else None}
            )
            for r in rows
        ],
        next=next_cursor,
    )


@router.get(
    "/outputs/{output_id}",
    response_model=OutputRead,
    summary="Read an output request with its groups, files and check results",
    responses=problem_responses(401, NOT_VISIBLE) | etag_documented(),
)
async def read_output(
    output_id: str, session: SessionDep, principal: CurrentPrincipal, now: Now, response: Response
) -> OutputRead:
    """The request with its groups, files, automatic check results, decision and `ETag`. A
    request the caller may not see answers 404."""
    output = await visibility.visible_output(session, principal, output_id)
    set_etag(response, output)
    return await output_read(session, output, now, principal)


@router.get(
    "/outputs/{output_id}/status",
    response_model=OutputStatusRead,
    summary="An output request's status (partners: their organisation's, never contents)",
    responses=READ_ERRORS,
)
async def read_output_status(
    output_id: str, session: SessionDep, principal: OutputStatusReader
) -> OutputRequest:
    """The status only, never contents: for partner clients of the requester's organisation and
    anyone who may read the request."""
    return await visibility.visible_status(session, principal, output_id)
