"""The decisions taken on a project - the panel's, support's and the service's own - kept
in the projects service's hash-chained audit log (one record, no second table): a
project's page lists them from there, and the log proves they were not changed since."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.auth import Principal
from srs_projects.models import audit_log

SUBJECT = "project"
_PREFIX = "project."


async def record_decision(
    session: AsyncSession,
    project_id: str,
    action: str,
    *,
    actor: str,
    reason: str | None,
    at: dt.datetime,
    researcher_id: str | None = None,
    **detail: Any,
) -> None:
    """Record ``action`` (e.g. ``approve``) on a project by ``actor``, with its reason."""
    await audit_log.append(
        session,
        actor=actor,
        action=_PREFIX + action,
        outcome=action,
        occurred_at=at,
        subject=(SUBJECT, project_id),
        researcher_id=researcher_id,
        project_id=project_id,
        detail={"reason": reason, **detail},
    )


async def record_by(
    session: AsyncSession,
    project_id: str,
    action: str,
    principal: Principal,
    reason: str | None,
    at: dt.datetime,
) -> None:
    """Record ``action`` taken by the caller (the log names their actor id)."""
    await record_decision(
        session, project_id, action, actor=principal.actor_id, reason=reason, at=at
    )


async def decisions_of(session: AsyncSession, project_id: str) -> list[dict[str, Any]]:
    """A project's decisions, oldest first, as its page shows them."""
    return [
        {
            "action": row.action.removeprefix(_PREFIX),
            "decided_by": row.actor,
            "reason": row.detail.get("reason"),
            "decided_at": row.occurred_at,
        }
        for row in await audit_log.trail(session, audit_log.about(SUBJECT, project_id))
    ]
