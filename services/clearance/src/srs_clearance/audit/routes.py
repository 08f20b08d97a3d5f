"""A request's audit trail."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from srs_clearance.audit import service
from srs_clearance.audit.schemas import AuditTrailRead
from srs_clearance.deps import READ_ERRORS, Settings
from srs_common.auth import Principal, require_roles
from srs_common.db import SessionDep

router = APIRouter(prefix="/v1", tags=["clearance"])


@router.get(
    "/outputs/{output_id}/audit",
    response_model=AuditTrailRead,
    summary="The request's hash-chained audit trail (checkers, support); others' votes "
    "withheld until every review is in",
    responses=READ_ERRORS,
)
async def audit_trail(
    output_id: str,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require_roles("checker", "support"))],
    settings: Settings,
) -> dict[str, Any]:
    """Every action on the request in a hash chain (each entry carries the previous entry's hash),
    for checkers and support; other checkers' votes are withheld until every review is in."""
    return await service.audit_trail(session, principal, output_id, settings)
