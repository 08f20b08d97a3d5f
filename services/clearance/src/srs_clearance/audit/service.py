"""A request's audit trail: every decision and download on an output request goes into
the service's hash-chained, anchored audit log (``srs_common.audit``), one entry per
action about the subject ``("output", id)``; a request's page reads them back from there.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from srs_clearance import domain
from srs_clearance.models import OutputRequest, audit_log
from srs_clearance.outputs.visibility import sees_private_review, visible_output
from srs_clearance.settings import ClearanceSettings
from srs_common.auth import Principal

SUBJECT = "output"
_PREFIX = "output."


async def record(
    session: AsyncSession,
    output: OutputRequest,
    principal: Principal | None,
    action: str,
    detail: str | None = None,
    *,
    file_id: str | None = None,
    at: dt.datetime,
) -> None:
    """Record ``action`` (e.g. ``reviewed``) on a request by the caller (``system`` when
    none), with its text and the file it concerns, in the caller's transaction."""
    await audit_log.append(
        session,
        actor=principal.actor_id if principal else "system",
        action=_PREFIX + action,
        outcome=action,
        occurred_at=at,
        subject=(SUBJECT, output.id),
        researcher_id=output.requester_id,
        project_id=output.project_id,
        detail={"text": detail, "file_id": file_id},
    )


async def audit_trail(
    session: AsyncSession, principal: Principal, output_id: str, settings: ClearanceSettings
) -> dict[str, Any]:
    """Every decision and download on a request, and whether the log's chain is intact."""
    output = await visible_output(session, principal, output_id)
    await audit_log.seal_everything(session)
    entries = await audit_log.trail(session, audit_log.about(SUBJECT, output.id))
    needed = domain.reviews_needed(output.kind, settings.review_rule())
    received = sum(1 for e in entries if e.outcome == "reviewed")
    me = principal.actor_id
    private = not sees_private_review(principal, output)

    def shown(entry: Any) -> dict[str, Any]:
        # Blind review holds here too: another checker's vote and its reason are withheld
        # (the entry stays, so the trail still says who reviewed and when).
        hidden = (
            entry.outcome == "reviewed"
            and not domain.vote_visible(
                entry.actor, me, received=received, needed=needed, viewer_is_requester=private
            )
        ) or (entry.outcome == "override" and private)
        return {
            "actor": entry.actor,
            "action": entry.outcome,
            "detail": None if hidden else entry.detail.get("text"),
            "file_id": entry.detail.get("file_id"),
            "at": entry.occurred_at,
            "entry_hash": entry.hash,
        }

    report = await audit_log.verify(session)
    return {"intact": report.valid, "entries": [shown(e) for e in entries]}
