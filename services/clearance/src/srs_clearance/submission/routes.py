"""Submitting and withdrawing a request."""

from __future__ import annotations

from fastapi import APIRouter

from srs_clearance.deps import CHANGE_ERRORS, TRANSITION_ERRORS, Researcher, Settings, Store
from srs_clearance.outputs.schemas import OutputRead
from srs_clearance.outputs.service import output_read
from srs_clearance.submission import service
from srs_common.context import Now
from srs_common.db import SessionDep

router = APIRouter(prefix="/v1", tags=["clearance"])


@router.post(
    "/outputs/{output_id}/submit",
    response_model=OutputRead,
    summary="Submit a draft: automatic checks run, the service-level clock starts",
    responses=CHANGE_ERRORS,
)
async def submit_output(
    output_id: str,
    session: SessionDep,
    principal: Researcher,
    now: Now,
    settings: Settings,
    store: Store,
) -> OutputRead:
    """Submits a draft: the automatic checks run on every file and the service-level clock starts;
    the request joins the checkers' queue."""

    def read_text(sha: str) -> str:
        return store.path_of(sha).read_text(encoding="utf-8", errors="replace")

    output = await service.submit_output(session, principal, output_id, now, settings, read_text)
    return await output_read(session, output, now, principal)


@router.post(
    "/outputs/{output_id}/withdraw",
    response_model=OutputRead,
    summary="Withdraw a request before its decision (requester)",
    responses=TRANSITION_ERRORS,
)
async def withdraw_output(
    output_id: str, session: SessionDep, principal: Researcher, now: Now
) -> OutputRead:
    """The requester withdraws a request before its decision; a decided request answers 409."""
    output = await service.withdraw_output(session, principal, output_id, now)
    return await output_read(session, output, now, principal)
