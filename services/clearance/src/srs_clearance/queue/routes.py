"""The checkers' queue."""

from __future__ import annotations

from fastapi import APIRouter

from srs_clearance import domain, sla
from srs_clearance.deps import Checker, Settings
from srs_clearance.outputs.service import is_overdue, researcher_names
from srs_clearance.queue import service
from srs_clearance.queue.schemas import QueueItem
from srs_clearance.review.votes import reviewers_of
from srs_common.context import Now
from srs_common.db import SessionDep
from srs_common.errors import problem_responses
from srs_common.pagination import Cursor, Limit, Page

router = APIRouter(prefix="/v1", tags=["clearance"])


@router.get(
    "/queue",
    response_model=Page[QueueItem],
    summary="The checkers' queue: priority projects first, then earliest due",
    responses=problem_responses(401, 403),
)
async def queue(
    session: SessionDep,
    principal: Checker,
    now: Now,
    settings: Settings,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[QueueItem]:
    """Requests awaiting review: priority projects first, then the earliest due under the service
    level, each with its clock in working days (paused while a clarification is awaited) and who
    has reviewed it (never how). Checkers only."""
    items, next_cursor = await service.checkers_queue(session, limit=limit, cursor=cursor)
    reviewers = await reviewers_of(session, [o.id for o, _, _ in items])
    names = await researcher_names(session, [o.requester_id for o, _, _ in items])
    rule = settings.review_rule()
    return Page[QueueItem](
        items=[
            QueueItem(
                id=o.id,
                project_id=o.project_id,
                project_title=project_title,
                kind=o.kind,
                title=o.title,
                status=o.status,
                automatic_status=o.automatic_status,
                priority=priority,
                due_at=o.due_at,
                overdue=is_overdue(o, now),
                clarification_pending=o.clock_paused_at is not None,
                requester_id=o.requester_id,
                requester_name=names.get(o.requester_id),
                working_days_left=(
                    sla.working_days_left(o.due_at, now, o.clock_paused_at) if o.due_at else None
                ),
                due_today=bool(
                    o.due_at and o.clock_paused_at is None and sla.due_today(o.due_at, now)
                ),
                reviews_needed=domain.reviews_needed(o.kind, rule),
                reviewers=reviewers.get(o.id, []),
            )
            for o, priority, project_title in items
        ],
        next=next_cursor,
    )
