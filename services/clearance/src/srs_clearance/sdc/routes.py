"""The stateless disclosure check: a table in, the findings out, nothing stored."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from srs_clearance.deps import INVALID
from srs_clearance.sdc import checks
from srs_clearance.sdc.schemas import SdcCheckRequest, SdcCheckResponse
from srs_common.auth import CurrentPrincipal
from srs_common.db import SessionDep
from srs_common.errors import problem_responses

router = APIRouter(prefix="/v1", tags=["clearance"])


@router.post(
    "/sdc/checks",
    response_model=SdcCheckResponse,
    tags=["disclosure control"],
    summary="Check a table against the disclosure rules (nothing is stored)",
    responses=problem_responses(401, 403, INVALID),
)
async def check_table(
    data: SdcCheckRequest, session: SessionDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Runs the statistical disclosure checks on a table sent in the body and answers the findings;
    nothing is stored."""
    return await checks.run_stateless_check(session, principal, data)
