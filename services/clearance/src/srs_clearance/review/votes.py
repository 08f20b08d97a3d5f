"""Independent reviews and the consolidating decision: each checker votes once, blind
until every review is in; the decision needs them all, and an override reason to approve
what every review rejected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from prometheus_client import Histogram
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_clearance import domain
from srs_clearance.audit.service import record
from srs_clearance.destruction.service import require_destruction
from srs_clearance.domain import OutputAction, OutputStatus
from srs_clearance.models import (
    OutputFile,
    OutputRequest,
    ProjectView,
    Review,
)
from srs_clearance.outputs.service import contract_fields
from srs_clearance.outputs.visibility import reviewable, sees_private_review, visible_output
from srs_clearance.review.schemas import DecisionCreate, VoteCreate
from srs_clearance.settings import ClearanceSettings
from srs_common.auth import Principal
from srs_common.contracts import clearance as events
from srs_common.errors import Conflict, Forbidden, RuleViolation
from srs_common.events.outbox import publish

TIME_TO_DECISION = Histogram(
    "srs_clearance_time_to_decision_seconds",
    "Wall-clock time from an output request's submission to its decision",
    ["kind", "decision"],
    buckets=(
        3600,
        4 * 3600,
        86400,
        2 * 86400,
        3 * 86400,
        5 * 86400,
        7 * 86400,
        14 * 86400,
        30 * 86400,
    ),
)


async def votes_on(session: AsyncSession, output_id: str) -> list[Review]:
    return list(
        (
            await session.execute(
                select(Review)
                .where(Review.output_id == output_id)
                .order_by(Review.created_at, Review.id)
            )
        )
        .scalars()
        .all()
    )


async def cast_vote(
    session: AsyncSession,
    principal: Principal,
    output_id: str,
    data: VoteCreate,
    now: dt.datetime,
    settings: ClearanceSettings,
) -> Review:
    """One checker's independent review; each checker's vote counts once."""
    output = await reviewable(session, principal, output_id)
    domain.transition(output.status, OutputAction.REVIEW)
    needed = domain.reviews_needed(output.kind, settings.review_rule())
    me = principal.actor_id
    votes = await votes_on(session, output.id)
    if any(v.checker_id == me for v in votes):
        raise Conflict("you have already reviewed this request: a checker's vote counts once")
    if len(votes) >= needed:
        raise Conflict(f"every independent review is already in ({needed} of {needed})")
    await check_file_ids(session, output.id, data.files)
    review = Review(
        output_id=output.id,
        checker_id=me,
        vote=data.vote,
        reason=data.reason,
        file_votes=dict(data.files) or None,
        created_at=now,
    )
    session.add(review)
    # The vote and its reason are in the trail; the trail shows them to nobody else until
    # every review is in (see audit_trail).
    await record(session, output, principal, "reviewed", f"{data.vote}: {data.reason}", at=now)
    await session.flush()
    return review


async def check_file_ids(session: AsyncSession, output_id: str, file_ids: Iterable[str]) -> None:
    """Every file named is one of this request's (422 naming the first that is not)."""
    wanted = set(file_ids)
    if not wanted:
        return
    known = set(
        (
            await session.execute(
                select(OutputFile.id).where(
                    OutputFile.output_id == output_id, OutputFile.id.in_(wanted)
                )
            )
        ).scalars()
    )
    unknown = sorted(wanted - known)
    if unknown:
        raise RuleViolation(f"file {unknown[0]} is not a file of this request", rule="file_id")


async def reviewers_of(session: AsyncSession, output_ids: list[str]) -> dict[str, list[str]]:
    """Who has cast an independent review on each request, in the order they did (never
    how they voted: the queue shows who, the votes list shows what)."""
    reviewers: dict[str, list[str]] = {}
    if not output_ids:
        return reviewers
    rows = await session.execute(
        select(Review.output_id, Review.checker_id)
        .where(Review.output_id.in_(output_ids))
        .order_by(Review.created_at, Review.id)
    )
    for output_id, checker_id in rows:
        reviewers.setdefault(output_id, []).append(checker_id)
    return reviewers


async def list_votes(
    session: AsyncSession, principal: Principal, output_id: str, settings: ClearanceSettings
) -> dict[str, Any]:
    """Blind review: each checker sees only their own vote until every vote is in."""
    output = await visible_output(session, principal, output_id)
    if not sees_private_review(principal, output):
        raise Forbidden(
            "the votes on a request are private to its checkers; "
            "nobody reads the votes on their own request"
        )
    needed = domain.reviews_needed(output.kind, settings.review_rule())
    votes = await votes_on(session, output.id)
    me = principal.actor_id
    shown = [
        v
        for v in votes
        if domain.vote_visible(
            v.checker_id, me, received=len(votes), needed=needed, viewer_is_requester=False
        )
    ]
    return {
        "needed": needed,
        "received": len(votes),
        "blind": not domain.votes_unblinded(len(votes), needed),
        "votes": shown,
    }


async def decide(
    session: AsyncSession,
    principal: Principal,
    output_id: str,
    data: DecisionCreate,
    now: dt.datetime,
    settings: ClearanceSettings,
) -> OutputRequest:
    """The consolidating decision: approve or reject once every independent review is in.

    Approving what every reviewer rejected needs an override reason, recorded on the
    decision and in the audit trail."""
    output = await reviewable(session, principal, output_id)
    action = OutputAction.APPROVE if data.decision == "approve" else OutputAction.REJECT
    status = domain.transition(output.status, action)
    needed = domain.reviews_needed(output.kind, settings.review_rule())
    votes = await votes_on(session, output.id)
    if len(votes) < needed:
        raise Conflict(
            f"a {output.kind.replace('_', '-')} request needs {needed} independent "
            f"reviews before a decision ({len(votes)} so far)",
            current_state=output.status,
        )
    if domain.override_needed(data.decision, [v.vote for v in votes]):
        if not data.override_reason:
            raise RuleViolation(
                "every independent review rejected this request: approving it "
                "needs an override_reason, which is recorded",
                rule="override_reason",
            )
    elif data.override_reason:
        raise RuleViolation(
            "an override_reason is only for approving what every independent review rejected",
            rule="override_reason",
        )
    output.status = status
    output.decided_at = now
    output.decided_by = principal.actor_id
    output.decision_reason = data.reason
    output.override_reason = data.override_reason
    output.clock_paused_at = None
    base = contract_fields(output, now)
    if status == OutputStatus.APPROVED:
        await publish(session, events.OutputApproved(**base), subject=output.id)
        project = await session.get(ProjectView, output.project_id)
        if project is not None and project.completed_at is not None:
            # cleared after the project completed: it must be destroyed all the same
            await require_destruction(
                session, output.project_id, project.completed_at, settings.destruction_policy_days
            )
    else:
        await publish(session, events.OutputRejected(**base, reason=data.reason), subject=output.id)
    if data.override_reason:
        await record(session, output, principal, "override", data.override_reason, at=now)
    await record(session, output, principal, str(status), data.reason, at=now)
    await session.flush()
    if output.submitted_at is not None:
        TIME_TO_DECISION.labels(output.kind, str(status)).observe(
            (now - output.submitted_at).total_seconds()
        )
    return output
