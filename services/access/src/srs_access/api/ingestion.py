"""Data and code ingestion requests."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from srs_access import ingestion
from srs_access.schemas import IngestionCreate, IngestionDecision, IngestionRead
from srs_common.auth import CurrentPrincipal, Principal, require_roles
from srs_common.db import SessionDep
from srs_common.errors import problem_responses

router = APIRouter(prefix="/v1/ingestion-requests", tags=["ingestion"])
RequestId = Annotated[str, Path(max_length=40, examples=["ing_01JA"])]
Support = Annotated[Principal, Depends(require_roles("support"))]


@router.post(
    "",
    response_model=IngestionRead,
    status_code=201,
    summary="Ask for own data or code to be added to a project space (researcher "
    "member); public package repositories are refused",
    responses=problem_responses(401, 403, 404, 422),
)
async def create(
    body: IngestionCreate,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require_roles("researcher"))],
):
    """A researcher member asks for their own data or code to be brought into a project space
    (201). Packages from public repositories are refused (422 names the rule)."""
    return await ingestion.request_ingestion(session, principal, **body.model_dump())


@router.get(
    "",
    response_model=list[IngestionRead],
    summary="Ingestion requests (staff: all; researcher: their own)",
    responses=problem_responses(401, 422),
)
async def list_requests(
    session: SessionDep,
    principal: CurrentPrincipal,
    project_id: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[Literal["pending", "approved", "rejected"] | None, Query()] = None,
):
    """Staff see every ingestion request, a researcher their own; keyset pagination."""
    return await ingestion.list_ingestions(session, principal, project_id=project_id, status=status)


@router.get(
    "/{request_id}",
    response_model=IngestionRead,
    summary="One ingestion request",
    responses=problem_responses(401, 404, 422),
)
async def read(request_id: RequestId, session: SessionDep, principal: CurrentPrincipal):
    """One ingestion request with its status and decision."""
    return await ingestion.get_ingestion(session, principal, request_id)


@router.post(
    "/{request_id}/approval",
    response_model=IngestionRead,
    summary="Approve (support)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def approve(
    request_id: RequestId, body: IngestionDecision, session: SessionDep, principal: Support
):
    """Support approves: the data or code is brought into the project space."""
    return await ingestion.decide_ingestion(
        session, principal, request_id, approve=True, reason=body.reason
    )


@router.post(
    "/{request_id}/rejection",
    response_model=IngestionRead,
    summary="Reject, with the reason (support)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def reject(
    request_id: RequestId, body: IngestionDecision, session: SessionDep, principal: Support
):
    """Support rejects the request with the reason, which the researcher reads."""
    return await ingestion.decide_ingestion(
        session, principal, request_id, approve=False, reason=body.reason
    )
