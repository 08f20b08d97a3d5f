"""Status changes: by support (suspend, reinstate, revoke), for a breach, and the one-row
conditional UPDATE that makes a change by a job or a consumer safe to run twice."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Executable, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from srs_accreditation import domain
from srs_accreditation.accreditations.events import accreditation_event
from srs_accreditation.accreditations.visibility import visible_accreditation
from srs_accreditation.domain import AccreditationAction, AccreditationStatus
from srs_accreditation.models import Accreditation, Researcher, audit_log
from srs_common.auth import Principal
from srs_common.contracts.accreditation import (
    AccreditationReinstated,
    AccreditationRevoked,
    AccreditationSuspended,
)
from srs_common.db import utcnow
from srs_common.events.outbox import publish

_STATUS_EVENTS = {
    AccreditationAction.SUSPEND: AccreditationSuspended,
    AccreditationAction.REINSTATE: AccreditationReinstated,
    AccreditationAction.REVOKE: AccreditationRevoked,
}


async def changed_one_row(session: AsyncSession, statement: Executable) -> bool:
    """Run a one-row INSERT or UPDATE: whether it changed the row (False when a guard in
    its WHERE clause, or an ON CONFLICT DO NOTHING, left it alone)."""
    # DML answers a CursorResult (which has rowcount); AsyncSession.execute is typed as
    # answering its Result base class.
    result = cast("CursorResult[Any]", await session.execute(statement))
    return result.rowcount == 1


async def move_status(
    session: AsyncSession,
    accreditation_id: str,
    action: AccreditationAction,
    *,
    reason: str,
    when: dt.datetime,
    guard: ColumnElement[bool] | None = None,
) -> bool:
    """Apply ``action`` to one accreditation as a conditional UPDATE from the statuses the
    state machine allows it from (and ``guard``): two replicas, or a redelivered event,
    cannot both move it. Whether this call moved it."""
    allowed = domain.ACCREDITATION_TRANSITIONS[action]
    (target,) = set(allowed.values())
    stmt = update(Accreditation).where(
        Accreditation.id == accreditation_id, Accreditation.status.in_(list(allowed))
    )
    if guard is not None:
        stmt = stmt.where(guard)
    return await changed_one_row(
        session, stmt.values(status=target, status_reason=reason, updated_at=when)
    )


async def _record(
    session: AsyncSession,
    actor: str,
    action: AccreditationAction,
    accreditation: Accreditation,
    reason: str,
) -> None:
    """The status change in the audit log: who did what, to which accreditation, and why."""
    await audit_log.append(
        session,
        actor=actor,
        action=f"accreditation.{action}",
        outcome=accreditation.status,
        occurred_at=accreditation.updated_at,
        subject=("accreditation", accreditation.id),
        researcher_id=accreditation.researcher_id,
        detail={"reason": reason, "kind": accreditation.kind},
    )


async def change_accreditation_status(
    session: AsyncSession,
    principal: Principal,
    accreditation_id: str,
    action: AccreditationAction,
    reason: str,
) -> Accreditation:
    """Support suspends, reinstates or revokes an accreditation, with a reason."""
    accreditation, researcher = await visible_accreditation(
        session, principal, accreditation_id, for_update=True
    )
    accreditation.status = domain.accreditation_transition(accreditation.status, action)
    accreditation.status_reason = reason
    accreditation.updated_at = utcnow()
    await _record(session, principal.actor_id, action, accreditation, reason)
    await session.flush()
    await publish(
        session,
        accreditation_event(_STATUS_EVENTS[action], accreditation, researcher.organisation_id),
        subject=accreditation.id,
    )
    return accreditation


async def suspend_for_breach(
    session: AsyncSession, researcher_id: str, reason: str, when: dt.datetime
) -> int:
    """Suspend every current accreditation of ``researcher_id`` (a consumed breach).

    The conditional UPDATE is the guard: an accreditation already suspended (a
    redelivery, or a second breach) is left alone and publishes nothing."""
    researcher = await session.get(Researcher, researcher_id)
    if researcher is None:
        return 0
    ids = list(
        (
            await session.execute(
                select(Accreditation.id).where(
                    Accreditation.researcher_id == researcher_id,
                    Accreditation.status == AccreditationStatus.CURRENT,
                )
            )
        ).scalars()
    )
    suspended = 0
    for accreditation_id in ids:
        suspend = AccreditationAction.SUSPEND
        if not await move_status(session, accreditation_id, suspend, reason=reason, when=when):
            continue
        accreditation = await session.get(Accreditation, accreditation_id, populate_existing=True)
        assert accreditation is not None  # the row just updated
        await _record(session, "system", suspend, accreditation, reason)
        await publish(
            session,
            accreditation_event(AccreditationSuspended, accreditation, researcher.organisation_id),
            subject=accreditation.id,
        )
        suspended += 1
    return suspended
