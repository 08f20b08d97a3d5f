"""The audit log's two routes, the same in every service that keeps one:
``GET /v1/audit/<service>`` (filtered, keyset-paged, oldest first) and
``GET /v1/audit/<service>/verification`` (walk the chain, optionally against an anchor
taken from the event stream). Each service's log has its own path, so one gateway
routes them all."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from srs_common.audit.chain import AuditLog
from srs_common.auth import require_roles
from srs_common.db import SessionDep
from srs_common.errors import AppError, problem_responses
from srs_common.pagination import Cursor, Limit, Page, keyset_page
from srs_common.params import DateTimeParam


class AuditEntryRead(BaseModel):
    """One entry of a service's audit log."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 42,
                    "seq": 42,
                    "occurred_at": "2026-11-25T10:00:00Z",
                    "actor": "panel-1",
                    "action": "project.approve",
                    "outcome": "approved",
                    "subject_type": "project",
                    "subject_id": "prj_01J9Z8Q4V6",
                    "researcher_id": "res-alice",
                    "project_id": "prj_01J9Z8Q4V6",
                    "detail": {"reason": "meets the five safes", "conditions": []},
                    "prev_hash": "9f2c...",
                    "hash": "1ab4...",
                }
            ]
        },
    )

    id: int
    seq: int | None = Field(description="place in the hash chain; null until sealed")
    occurred_at: dt.datetime
    actor: str
    action: str
    outcome: str
    subject_type: str | None = None
    subject_id: str | None = None
    researcher_id: str | None
    project_id: str | None
    detail: dict[str, Any]
    prev_hash: str | None
    hash: str | None


class ChainVerification(BaseModel):
    """Whether the chain verifies, and if not, its first broken entry and why."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "valid": False,
                    "entries_checked": 41,
                    "first_broken_seq": 42,
                    "problem": "its content does not match its hash (edited)",
                    "newest_anchor_seq": 57,
                }
            ]
        }
    )

    valid: bool
    entries_checked: int
    first_broken_seq: int | None = None
    problem: str | None = None
    newest_anchor_seq: int | None = Field(
        None, description="the newest anchor the chain was checked against (stored or given)"
    )


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def audit_router(audit: AuditLog, *, roles: tuple[str, ...] = ("support", "ops")) -> APIRouter:
    """The audit routes over ``audit`` at ``/v1/audit/<service>``, readable by ``roles``
    only."""
    router = APIRouter(
        prefix=f"/v1/audit/{audit.service}",
        tags=["audit"],
        dependencies=[Depends(require_roles(*roles))],
    )
    entries = audit.entries
    anchored_type = audit.anchored.type

    @router.get(
        "",
        response_model=Page[AuditEntryRead],
        operation_id="audit.list",
        summary="Audit entries, oldest first; filter by subject, researcher, project, time",
        responses=problem_responses(401, 403, 422),
    )
    async def list_audit(
        session: SessionDep,
        limit: Limit = 50,
        cursor: Cursor = None,
        subject_type: Annotated[str | None, Query(max_length=40)] = None,
        subject_id: Annotated[str | None, Query(max_length=100)] = None,
        researcher_id: Annotated[str | None, Query(max_length=100)] = None,
        project_id: Annotated[str | None, Query(max_length=40)] = None,
        since: Annotated[DateTimeParam | None, Query(description="inclusive")] = None,
        until: Annotated[DateTimeParam | None, Query(description="exclusive")] = None,
    ) -> Page[AuditEntryRead]:
        """Decisions in the hash-chained audit log, oldest first, filtered by subject,
        researcher, project or time; keyset pagination. Staff only."""
        await audit.seal_everything(session)
        conditions = []
        for column, value in (
            (entries.c.subject_type, subject_type),
            (entries.c.subject_id, subject_id),
            (entries.c.researcher_id, researcher_id),
            (entries.c.project_id, project_id),
        ):
            if value is not None:
                conditions.append(column == value)
        if since is not None:
            conditions.append(entries.c.occurred_at >= _utc(since))
        if until is not None:
            conditions.append(entries.c.occurred_at < _utc(until))
        page = await keyset_page(
            session, select(entries).where(*conditions), [entries.c.id], cursor=cursor, limit=limit
        )
        return page.map(AuditEntryRead.model_validate)

    @router.get(
        "/verification",
        response_model=ChainVerification,
        operation_id="audit.verify_chain",
        summary="Verify the hash chain; names the first broken link",
        description="Checks every entry's hash and link, and the chain against every anchor "
        "stored when it was sealed. An anchor taken from the event stream "
        f"(`{anchored_type}`, kept by the operations event store) can be given too: it "
        "catches a chain cut short or rewritten together with its stored anchors.",
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
        await audit.seal_everything(session)  # cover every decision made so far
        anchor = (anchor_seq, anchor_hash) if anchor_seq is not None and anchor_hash else None
        report = await audit.verify(session, anchor=anchor)
        return ChainVerification(
            valid=report.valid,
            entries_checked=report.entries_checked,
            first_broken_seq=report.first_broken_seq,
            problem=report.problem,
            newest_anchor_seq=report.newest_anchor_seq,
        )

    return router
