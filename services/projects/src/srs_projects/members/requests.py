"""Requests to add a member who will see data to an approved or running project.

Before approval the member list is part of the application the panel decides on. After
it, a new member with access to data is a request that staff approve (by default service
staff; the panel when ``member_approver`` says so) before anything enables their account:
only the approval adds the member and publishes ``ProjectMemberAdded``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.contracts.projects import ProjectMemberRefused, ProjectMemberRequested, ProjectRole
from srs_common.errors import Conflict, IllegalTransition, NotFound
from srs_common.events.outbox import publish
from srs_common.ids import new_id
from srs_projects import domain
from srs_projects.members import roster
from srs_projects.models import MemberRequest, Project, ProjectMember

REQUESTED, APPROVED, REFUSED, WITHDRAWN = "requested", "approved", "refused", "withdrawn"


def needs_approval(project: Project, role: str) -> bool:
    """A member who will see data, joining a project the panel has already approved."""
    return project.status in domain.RUNNING and role in domain.ACCREDITED_ROLES


async def pending_request(
    session: AsyncSession, project_id: str, researcher_id: str
) -> MemberRequest | None:
    return (
        await session.execute(
            select(MemberRequest)
            .where(
                MemberRequest.project_id == project_id,
                MemberRequest.researcher_id == researcher_id,
                MemberRequest.status == REQUESTED,
            )
            .with_for_update()
        )
    ).scalar_one_or_none()


async def request_member(
    session: AsyncSession,
    project: Project,
    *,
    researcher_id: str,
    role: ProjectRole,
    name: str | None,
    supervisor_id: str | None,
    requested_by: str,
    now: dt.datetime,
) -> MemberRequest:
    """Ask staff to add a member (the caller has locked the project row). The role rules
    are checked now, so a request that could never be approved is refused at once."""
    if await session.get(ProjectMember, (project.id, researcher_id)) is not None:
        raise Conflict(f"{researcher_id} is already a member of this project")
    pending = await pending_request(session, project.id, researcher_id)
    if pending is not None:
        raise Conflict(
            f"a request to add {researcher_id} ({pending.id}) is already awaiting a decision"
        )
    await roster.check_eligible(
        session, project.id, researcher_id, role, now.date(), name=name, supervisor_id=supervisor_id
    )
    request = MemberRequest(
        id=new_id("mrq"),
        project_id=project.id,
        researcher_id=researcher_id,
        role=role,
        name=name,
        supervisor_id=supervisor_id,
        status=REQUESTED,
        requested_by=requested_by,
        requested_at=now,
    )
    session.add(request)
    await publish(
        session,
        ProjectMemberRequested(
            project_id=project.id,
            organisation_id=project.organisation_id,
            researcher_id=researcher_id,
            role=role,
            request_id=request.id,
            requested_by=requested_by,
            occurred_at=now,
        ),
        subject=project.id,
    )
    await session.flush()
    return request


async def withdraw(
    session: AsyncSession, project: Project, researcher_id: str, withdrawn_by: str, now: dt.datetime
) -> bool:
    """The lead withdraws a pending request; False when there is none."""
    request = await pending_request(session, project.id, researcher_id)
    if request is None:
        return False
    request.status, request.decided_by, request.decided_at = WITHDRAWN, withdrawn_by, now
    await session.flush()
    return True


async def decide(
    session: AsyncSession,
    project: Project,
    request_id: str,
    *,
    approve: bool,
    decided_by: str,
    reason: str | None,
    now: dt.datetime,
) -> MemberRequest:
    """Approve (the member joins; ``ProjectMemberAdded`` lets access enable the account) or
    refuse with a reason (``ProjectMemberRefused``). The caller has locked the project."""
    request = await session.get(MemberRequest, request_id, with_for_update=True)
    if request is None or request.project_id != project.id:
        raise NotFound(f"member request {request_id} not found")
    if request.status != REQUESTED:
        raise IllegalTransition(
            "member request", request.status, "approve" if approve else "refuse"
        )
    request.decided_by, request.decided_at, request.reason = decided_by, now, reason
    if not approve:
        request.status = REFUSED
        await publish(
            session,
            ProjectMemberRefused(
                project_id=project.id,
                organisation_id=project.organisation_id,
                researcher_id=request.researcher_id,
                role=request.role,
                reason=reason,
                request_id=request.id,
                occurred_at=now,
            ),
            subject=project.id,
        )
        await session.flush()
        return request
    domain.require_status(project.status, domain.RUNNING, "add a member to")
    # The accreditation may have lapsed, or the supervisor left, since the request: the
    # member joins under the same rules as on an application.
    await roster.add_member(
        session,
        project,
        researcher_id=request.researcher_id,
        role=request.role,
        name=request.name,
        supervisor_id=request.supervisor_id,
        now=now,
    )
    request.status = APPROVED
    await session.flush()
    return request


async def requests_of(
    session: AsyncSession, project_id: str, status: str | None
) -> list[MemberRequest]:
    stmt = select(MemberRequest).where(MemberRequest.project_id == project_id)
    if status:
        stmt = stmt.where(MemberRequest.status == status)
    return list(
        (await session.execute(stmt.order_by(MemberRequest.requested_at, MemberRequest.id)))
        .scalars()
        .all()
    )
