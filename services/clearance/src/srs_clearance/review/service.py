"""The checkers' workflow before the votes: taking a request into review, re-running the
checks with relaxed rules, and clarifications (the clock stops and restarts).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from srs_clearance import domain, sla
from srs_clearance.audit.service import record
from srs_clearance.comments.service import new_comment
from srs_clearance.domain import OutputAction, OutputStatus
from srs_clearance.models import (
    OutputRequest,
)
from srs_clearance.outputs.service import contract_fields, files_of
from srs_clearance.outputs.visibility import own_output, reviewable
from srs_clearance.sdc.checks import (
    not_checked_files,
    relax,
    rules_for,
    rules_out,
    run_automatic_checks,
)
from srs_clearance.sdc.schemas import RulesIn
from srs_common.auth import Principal
from srs_common.contracts import clearance as events
from srs_common.errors import IllegalTransition
from srs_common.events.outbox import publish


async def start_review(
    session: AsyncSession, principal: Principal, output_id: str, now: dt.datetime
) -> OutputRequest:
    output = await reviewable(session, principal, output_id)
    output.status = domain.transition(output.status, OutputAction.START_REVIEW)
    await record(session, output, principal, "review_started", at=now)
    await session.flush()
    return output


async def recheck_with_relaxed_rules(
    session: AsyncSession,
    principal: Principal,
    output_id: str,
    overrides: RulesIn,
    now: dt.datetime,
) -> OutputRequest:
    """A checker re-runs the automatic checks with rules relaxed for this request only."""
    output = await reviewable(session, principal, output_id)
    if output.status not in (OutputStatus.CHECKED, OutputStatus.IN_REVIEW):
        raise IllegalTransition("output request", output.status, "re-check")
    rules = relax(await rules_for(session, list(output.dataset_ids)), principal, overrides)
    files = await files_of(session, output.id)
    output.automatic_status = await run_automatic_checks(session, output, files, rules)
    output.check_report = {
        **(output.check_report or {}),
        "status": output.automatic_status,
        "rules": rules_out(rules),
        "relaxed_by": principal.actor_id,
        "not_checked": not_checked_files(files),
    }
    await publish(
        session,
        events.OutputChecked(
            **contract_fields(output, now), automatic_status=output.automatic_status
        ),
        subject=output.id,
    )
    await record(
        session,
        output,
        principal,
        "rechecked",
        str(overrides.model_dump(exclude_none=True)),
        at=now,
    )
    await session.flush()
    return output


async def request_clarification(
    session: AsyncSession, principal: Principal, output_id: str, question: str, now: dt.datetime
) -> OutputRequest:
    """A checker asks the requester a question; the service-level clock stops."""
    output = await reviewable(session, principal, output_id)
    output.status = domain.transition(output.status, OutputAction.REQUEST_CLARIFICATION)
    output.clock_paused_at = now
    new_comment(session, output, principal, question, kind="question", now=now)
    await publish(
        session,
        events.OutputClarificationRequested(**contract_fields(output, now)),
        subject=output.id,
    )
    await record(session, output, principal, "clarification_requested", question, at=now)
    await session.flush()
    return output


async def respond_to_clarification(
    session: AsyncSession, principal: Principal, output_id: str, answer: str, now: dt.datetime
) -> OutputRequest:
    """The requester answers; the clock restarts with the paused working time given back."""
    output = await own_output(session, principal, output_id)
    output.status = domain.transition(output.status, OutputAction.RESPOND)
    if output.clock_paused_at is not None and output.due_at is not None:
        output.due_at = sla.resume_due_at(output.due_at, output.clock_paused_at, now)
    output.clock_paused_at = None
    new_comment(session, output, principal, answer, kind="answer", now=now)
    await record(session, output, principal, "clarification_answered", at=now)
    await session.flush()
    return output
