"""The checkers' workflow: review, re-check, clarification, votes, decision."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_clearance.deps import (
    CHANGE_ERRORS,
    READ_ERRORS,
    TRANSITION_ERRORS,
    Checker,
    Researcher,
    Settings,
)
from srs_clearance.models import OutputRequest, Review
from srs_clearance.outputs.schemas import OutputRead
from srs_clearance.outputs.service import output_read
from srs_clearance.outputs.visibility import output_visible_to
from srs_clearance.review import service, votes
from srs_clearance.review.schemas import DecisionCreate, Question, VoteCreate, VoteRead, VotesRead
from srs_clearance.sdc.schemas import RulesIn
from srs_common.auth import Principal
from srs_common.concurrency import Versioned, etag_documented
from srs_common.context import Now
from srs_common.db import SessionDep
from srs_common.errors import problem_responses

router = APIRouter(prefix="/v1", tags=["clearance"])
VERSIONED_TRANSITION = TRANSITION_ERRORS | problem_responses(412) | etag_documented()
VERSIONED_CHANGE = CHANGE_ERRORS | problem_responses(412) | etag_documented()


async def _lock_current(
    session: AsyncSession, principal: Principal, output_id: str, versioned: Versioned
) -> None:
    """Lock the request (if the caller may see it) before a checker's change and refuse a
    stale `If-Match` with 412."""
    stmt = select(OutputRequest).where(OutputRequest.id == output_id, output_visible_to(principal))
    versioned.require(f"output request {output_id}", await versioned.lock(session, stmt))


@router.post(
    "/outputs/{output_id}/review",
    response_model=OutputRead,
    summary="Take a checked request into review (checker; not one's own)",
    responses=VERSIONED_TRANSITION,
)
async def start_review(
    output_id: str, session: SessionDep, principal: Checker, now: Now, versioned: Versioned
) -> OutputRead:
    """A checker takes a checked request into review; a checker never reviews their own project's
    request (403)."""
    await _lock_current(session, principal, output_id, versioned)
    output = await service.start_review(session, principal, output_id, now)
    await versioned.tag(session, output)
    return await output_read(session, output, now, principal)


@router.post(
    "/outputs/{output_id}/recheck",
    response_model=OutputRead,
    summary="Re-run the automatic checks with rules relaxed for this request (checker)",
    responses=VERSIONED_CHANGE,
)
async def recheck(
    output_id: str,
    data: RulesIn,
    session: SessionDep,
    principal: Checker,
    now: Now,
    versioned: Versioned,
) -> OutputRead:
    """A checker re-runs the automatic checks with relaxed rules for this request only, when the
    context justifies it."""
    await _lock_current(session, principal, output_id, versioned)
    output = await service.recheck_with_relaxed_rules(session, principal, output_id, data, now)
    await versioned.tag(session, output)
    return await output_read(session, output, now, principal)


@router.post(
    "/outputs/{output_id}/clarification",
    response_model=OutputRead,
    summary="Ask the requester a question (checker); the clock stops",
    responses=VERSIONED_CHANGE,
)
async def request_clarification(
    output_id: str,
    data: Question,
    session: SessionDep,
    principal: Checker,
    now: Now,
    versioned: Versioned,
) -> OutputRead:
    """A checker asks the requester a question; the service-level clock stops until the answer."""
    await _lock_current(session, principal, output_id, versioned)
    output = await service.request_clarification(session, principal, output_id, data.text, now)
    await versioned.tag(session, output)
    return await output_read(session, output, now, principal)


@router.post(
    "/outputs/{output_id}/clarification/response",
    response_model=OutputRead,
    summary="Answer a clarification (requester); the clock restarts",
    responses=CHANGE_ERRORS,
)
async def respond_to_clarification(
    output_id: str, data: Question, session: SessionDep, principal: Researcher, now: Now
) -> OutputRead:
    """The requester answers the checker's question; the clock restarts."""
    output = await service.respond_to_clarification(session, principal, output_id, data.text, now)
    return await output_read(session, output, now, principal)


@router.post(
    "/outputs/{output_id}/votes",
    status_code=status.HTTP_201_CREATED,
    response_model=VoteRead,
    summary="Cast one independent review (checker; each checker's vote counts once)",
    responses=CHANGE_ERRORS,
)
async def cast_vote(
    output_id: str,
    data: VoteCreate,
    session: SessionDep,
    principal: Checker,
    now: Now,
    settings: Settings,
) -> Review:
    """A checker casts an independent review (approve or reject, with comments); each checker's
    vote counts once."""
    return await votes.cast_vote(session, principal, output_id, data, now, settings)


@router.get(
    "/outputs/{output_id}/votes",
    response_model=VotesRead,
    summary="Reviews so far: blind (own vote only) until every review is in; "
    "never the requester's to read",
    responses=READ_ERRORS,
)
async def list_votes(
    output_id: str, session: SessionDep, principal: Checker, settings: Settings
) -> dict[str, Any]:
    """The reviews cast so far: each checker sees only their own until every review is in. Never
    readable by the requester."""
    return await votes.list_votes(session, principal, output_id, settings)


@router.post(
    "/outputs/{output_id}/decision",
    response_model=OutputRead,
    summary="The consolidating decision (checker): after every independent review; "
    "approving what all rejected needs an override_reason",
    responses=VERSIONED_CHANGE,
)
async def decide(
    output_id: str,
    data: DecisionCreate,
    session: SessionDep,
    principal: Checker,
    now: Now,
    settings: Settings,
    versioned: Versioned,
) -> OutputRead:
    """The consolidating decision after every independent review; approving a request every review
    rejected needs an `override_reason`. The decision is published and audited."""
    await _lock_current(session, principal, output_id, versioned)
    output = await votes.decide(session, principal, output_id, data, now, settings)
    await versioned.tag(session, output)
    return await output_read(session, output, now, principal)
