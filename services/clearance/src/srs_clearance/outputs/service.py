"""Reading output requests: a request's groups and files, its event fields, whether it is
overdue, the list the caller may see, and the read model the routes answer with.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_clearance import domain
from srs_clearance.models import (
    OutputFile,
    OutputGroup,
    OutputRequest,
    ProjectView,
    ResearcherView,
)
from srs_clearance.outputs.schemas import FileRead, GroupRead, OutputRead
from srs_clearance.outputs.visibility import output_status_visible_to, sees_private_review
from srs_common.auth import Principal
from srs_common.pagination import desc, keyset_page


def contract_fields(output: OutputRequest, now: dt.datetime) -> dict[str, Any]:
    return {
        "output_id": output.id,
        "project_id": output.project_id,
        "organisation_id": output.organisation_id,
        "requester_id": output.requester_id,
        "kind": output.kind,
        "occurred_at": now,
    }


async def files_of(session: AsyncSession, output_id: str) -> list[OutputFile]:
    """A request's files, in the order they were uploaded."""
    stmt = (
        select(OutputFile)
        .where(OutputFile.output_id == output_id)
        .order_by(OutputFile.uploaded_at, OutputFile.id)
    )
    return list(await session.scalars(stmt))


async def groups_of(session: AsyncSession, output_id: str) -> list[dict[str, Any]]:
    """A request's groups, each with its files."""
    groups = await session.scalars(
        select(OutputGroup)
        .where(OutputGroup.output_id == output_id)
        .order_by(OutputGroup.created_at, OutputGroup.id)
    )
    files = await files_of(session, output_id)
    return [
        {
            "id": g.id,
            "name": g.name,
            "context": g.context,
            "controls": g.controls,
            "files": [f for f in files if f.group_id == g.id],
        }
        for g in groups
    ]


def is_overdue(output: OutputRequest, now: dt.datetime) -> bool:
    return (
        output.status in domain.OPEN
        and output.clock_paused_at is None
        and output.due_at is not None
        and output.due_at < now
    )


async def list_outputs(
    session: AsyncSession,
    principal: Principal,
    *,
    project_id: str | None,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[OutputRequest], str | None]:
    """Requests the caller may see, newest first (partners: their organisation's)."""
    stmt = select(OutputRequest).where(output_status_visible_to(principal))
    if project_id:
        stmt = stmt.where(OutputRequest.project_id == project_id)
    if status:
        stmt = stmt.where(OutputRequest.status == status)
    page = await keyset_page(
        session,
        stmt,
        [desc(OutputRequest.created_at), desc(OutputRequest.id)],
        cursor=cursor,
        limit=limit,
    )
    return page.items, page.next


async def output_read(
    session: Any, output: Any, now: dt.datetime, principal: Principal
) -> OutputRead:
    groups = await groups_of(session, output.id)
    project = await session.get(ProjectView, output.project_id)
    read = OutputRead.model_validate(output)
    if not sees_private_review(principal, output):
        read.override_reason = None  # would tell the requester how the reviewers voted
    read.groups = [
        GroupRead(
            id=g["id"],
            name=g["name"],
            context=g["context"],
            controls=g["controls"],
            files=[FileRead.model_validate(f) for f in g["files"]],
        )
        for g in groups
    ]
    read.overdue = is_overdue(output, now)
    read.priority = bool(project and project.priority)
    read.project_title = project.title if project else None
    read.requester_name = (await researcher_names(session, [output.requester_id])).get(
        output.requester_id
    )
    return read


async def researcher_names(session: AsyncSession, researcher_ids: list[str]) -> dict[str, str]:
    """The names on the researcher records clearance knows, by researcher id."""
    if not researcher_ids:
        return {}
    rows = await session.execute(
        select(ResearcherView.researcher_id, ResearcherView.name).where(
            ResearcherView.researcher_id.in_(set(researcher_ids))
        )
    )
    return {researcher_id: name for researcher_id, name in rows.all()}
