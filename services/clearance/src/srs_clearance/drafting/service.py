"""Drafting: an active member of an active project drafts a request, its groups and files."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from srs_clearance import domain
from srs_clearance.domain import OutputAction, OutputStatus
from srs_clearance.drafting.schemas import GroupCreate, OutputCreate
from srs_clearance.models import (
    OutputFile,
    OutputGroup,
    OutputRequest,
    ProjectMemberView,
    ProjectView,
)
from srs_clearance.outputs.visibility import own_output
from srs_clearance.sdc.checks import classify_upload
from srs_common.auth import Principal
from srs_common.errors import Conflict, Forbidden, NotFound, RuleViolation
from srs_common.ids import new_id


async def submitter_eligibility(
    session: AsyncSession, principal: Principal, project_id: str
) -> ProjectView:
    me = principal.actor_id
    member = await session.get(ProjectMemberView, (project_id, me))
    project = await session.get(ProjectView, project_id)
    if member is None or project is None:
        raise NotFound(f"project {project_id} not found")
    if member.role not in domain.SUBMITTING_ROLES:
        raise Forbidden("outputs-only peer reviewers may view cleared outputs, not submit")
    if not member.active:
        raise Forbidden("your membership of this project is inactive (accreditation not current)")
    if project.status != "active":
        raise Conflict(
            f"the project is {project.status}: outputs need an active project",
            current_state=project.status,
        )
    return project


async def create_output(
    session: AsyncSession, principal: Principal, data: OutputCreate, now: dt.datetime
) -> OutputRequest:
    """An active member of an active project drafts an output request."""
    project = await submitter_eligibility(session, principal, data.project_id)
    dataset_ids = data.dataset_ids or list(project.dataset_ids)
    unknown = sorted(set(dataset_ids) - set(project.dataset_ids))
    if unknown:
        raise RuleViolation(
            f"datasets not approved for this project: {', '.join(unknown)}", rule="project_datasets"
        )
    output = OutputRequest(
        id=new_id("out"),
        project_id=project.id,
        organisation_id=project.organisation_id,
        requester_id=principal.actor_id,
        kind=data.kind,
        title=data.title,
        dataset_ids=dataset_ids,
        exception_justification=data.exception_justification,
        status=OutputStatus.DRAFT,
        created_at=now,
    )
    session.add(output)
    await session.flush()
    return output


async def add_group(
    session: AsyncSession, principal: Principal, output_id: str, data: GroupCreate, now: dt.datetime
) -> OutputGroup:
    """A group of files with its context and the controls applied."""
    output = await own_output(session, principal, output_id)
    domain.transition(output.status, OutputAction.CHANGE)
    group = OutputGroup(id=new_id("grp"), output_id=output.id, created_at=now, **data.model_dump())
    session.add(group)
    await session.flush()
    return group


async def add_file(
    session: AsyncSession,
    principal: Principal,
    output_id: str,
    group_id: str,
    *,
    filename: str,
    content_type: str,
    sha256: str,
    size: int,
    data: bytes,
    now: dt.datetime,
) -> OutputFile:
    output = await own_output(session, principal, output_id)
    domain.transition(output.status, OutputAction.CHANGE)
    group = await session.get(OutputGroup, group_id)
    if group is None or group.output_id != output.id:
        raise NotFound(f"group {group_id} not found")
    role, table = classify_upload(output.kind, filename, data)
    file = OutputFile(
        id=new_id("fil"),
        output_id=output.id,
        group_id=group.id,
        filename=filename,
        content_type=content_type,
        size=size,
        sha256=sha256,
        role=role,
        table_json=table,
        uploaded_at=now,
    )
    session.add(file)
    await session.flush()
    return file
