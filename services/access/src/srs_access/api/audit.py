"""The audit log: filtered listing and chain verification (support and ops only)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from srs_access.audit import AUDIT, seal_everything, verify_chain
from srs_access.schemas import AuditEntryRead, ChainVerification
from srs_common.auth import require_roles
from srs_common.db import SessionDep
from srs_common.errors import AppError, problem_responses
from srs_common.pagination import Cursor, Limit, Page, decode_cursor, encode_cursor
from srs_common.params import DateTimeParam

router = APIRouter(
    prefix="/v1/audit", tags=["audit"], dependencies=[Depends(require_roles("support", "ops"))]
)


@router.get(
    "",
    response_model=Page[AuditEntryRead],
    summary="Audit entries, oldest first; filter by researcher, project, time",
    responses=problem_responses(401, 403, 422),
)
async def list_audit(
    session: SessionDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    researcher_id: Annotated[str | None, Query(max_length=100)] = None,
    project_id: Annotated[str | None, Query(max_length=40)] = None,
    since: Annotated[DateTimeParam | None, Query(description="inclusive")] = None,
    until: Annotated[DateTimeParam | None, Query(description="exclusive")] = None,
):
    """Access decisions and actions in the hash-chained audit log, oldest first, filtered by
    researcher, project or time; keyset pagination. Staff only."""
    await seal_everything(session)
    query = select(AUDIT).order_by(AUDIT.c.id).limit(limit + 1)
    after = decode_cursor(cursor)
    if after:
        query = query.where(AUDIT.c.id > int(after[0]))
    if researcher_id is not None:
        query = query.where(AUDIT.c.researcher_id == researcher_id)
    if project_id is not None:
        query = query.where(AUDIT.c.project_id == project_id)
    if since is not None:
        query = query.where(AUDIT.c.occurred_at >= _utc(since))
    if until is not None:
        query = query.where(AUDIT.c.occurred_at < _utc(until))
    rows = (await session.execute(query)).all()
    items = [AuditEntryRead.model_validate(r) for r in rows[:limit]]
    return Page(items=items, next=encode_cursor([items[-1].id]) if len(rows) > limit else None)


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@router.get(
    "/verification",
    response_model=ChainVerification,
    summary="Verify the hash chain; names the first broken link",
    description="Checks every entry's hash and link, and the chain against every "
    "anchor stored when it was sealed. An anchor taken from the event "
    "stream (`srs.audit_chain.anchored.v1`, kept by the operations "
    "event store) can be given too: it catches a chain cut short or "
    "rewritten together with its stored anchors.",
    responses=problem_responses(401, 403, 422),
)
async def verify_audit_chain(
    session: SessionDep,
    anchor_seq: Annotated[int | None, Query(ge=1, le=2**62, examples=[1042])] = None,
    anchor_hash: Annotated[str | None, Query(pattern="^[0-9a-f]{64}$")] = None,
) -> ChainVerification:
    if (anchor_seq is None) != (anchor_hash is None):
        raise AppError(
            "give both `anchor_seq` and `anchor_hash`, or neither",
            status=422,
            title="Incomplete anchor",
        )
    await seal_everything(session)  # cover every decision made so far
    anchor = (anchor_seq, anchor_hash) if anchor_seq is not None and anchor_hash else None
    report = await verify_chain(session, anchor=anchor)
    return ChainVerification(
        valid=report.valid,
        entries_checked=report.entries_checked,
        first_broken_seq=report.first_broken_seq,
        problem=report.problem,
        newest_anchor_seq=report.newest_anchor_seq,
    )
