"""Attesting destruction."""

from __future__ import annotations

from fastapi import APIRouter

from srs_clearance.deps import CHANGE_ERRORS, Researcher
from srs_clearance.destruction import service
from srs_clearance.destruction.schemas import DestructionAttestation
from srs_clearance.outputs.schemas import OutputRead
from srs_clearance.outputs.service import output_read
from srs_common.context import Now
from srs_common.db import SessionDep

router = APIRouter(prefix="/v1", tags=["clearance"])


@router.post(
    "/outputs/{output_id}/destruction",
    response_model=OutputRead,
    summary="Attest destruction of a pre-publication output (requester)",
    responses=CHANGE_ERRORS,
)
async def attest_destruction(
    output_id: str,
    data: DestructionAttestation,
    session: SessionDep,
    principal: Researcher,
    now: Now,
) -> OutputRead:
    """The requester attests that a pre-publication output was destroyed after use; recorded and
    audited."""
    output = await service.attest_destruction(session, principal, output_id, data.statement, now)
    return await output_read(session, output, now, principal)
