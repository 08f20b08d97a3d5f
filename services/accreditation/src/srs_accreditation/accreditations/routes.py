"""Routes of /v1/accreditations: reading one, and support's status changes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy import select

from srs_accreditation.accreditations import status, visibility
from srs_accreditation.deps import ResearcherReader, Support
from srs_accreditation.domain import AccreditationAction
from srs_accreditation.models import Accreditation, Researcher
from srs_accreditation.schemas import AccreditationRead, Reasoned
from srs_common.concurrency import Versioned, etag_documented, set_etag
from srs_common.db import SessionDep
from srs_common.errors import problem_responses

accreditations = APIRouter(prefix="/accreditations", tags=["accreditations"])
NO_ACCREDITATION = "no such accreditation, or not the caller's to see"


@accreditations.get(
    "/{accreditation_id}",
    response_model=AccreditationRead,
    summary="Read an accreditation",
    responses=problem_responses(401, 403, 422, {404: NO_ACCREDITATION}) | etag_documented(),
)
async def read_accreditation(
    accreditation_id: str, session: SessionDep, principal: ResearcherReader, response: Response
) -> Any:
    """One accreditation: its kind, status (current, suspended, revoked, expired), validity
    dates and `ETag`."""
    accreditation, _ = await visibility.visible_accreditation(session, principal, accreditation_id)
    set_etag(response, accreditation)
    return accreditation


def _status_route(action: AccreditationAction, summary: str, conflict: str) -> None:
    @accreditations.post(
        f"/{{accreditation_id}}/{action}",
        response_model=AccreditationRead,
        summary=summary,
        description=f"Support {action}s the accreditation with a reason; the change is "
        "recorded and published as an event, and the services that rely on it follow.",
        name=f"{action}_accreditation",
        responses=problem_responses(401, 403, 412, 422, {404: NO_ACCREDITATION, 409: conflict})
        | etag_documented(),
    )
    async def change(
        accreditation_id: str,
        body: Reasoned,
        session: SessionDep,
        principal: Support,
        versioned: Versioned,
    ) -> Any:
        locked = await versioned.lock(
            session,
            select(Accreditation)
            .join(Researcher, Researcher.id == Accreditation.researcher_id)
            .where(
                Accreditation.id == accreditation_id,
                visibility.accreditation_visible_to(principal),
            ),
        )
        versioned.require(f"accreditation {accreditation_id}", locked)
        changed = await status.change_accreditation_status(
            session, principal, accreditation_id, action, body.reason
        )
        await versioned.tag(session, changed)
        return changed


_status_route(
    AccreditationAction.SUSPEND,
    "Suspend a current accreditation, with a reason (support)",
    "not current",
)
_status_route(
    AccreditationAction.REINSTATE, "Reinstate a suspended accreditation (support)", "not suspended"
)
_status_route(
    AccreditationAction.REVOKE,
    "Revoke an accreditation for good, with a reason such as a breach of output rules (support)",
    "already expired or revoked",
)
