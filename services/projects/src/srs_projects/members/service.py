"""Member use cases: the lead names and removes members; on an approved project a member
who will see data is a request that staff (or the panel, by setting) decide."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.auth import Principal
from srs_common.db import utcnow
from srs_common.errors import Forbidden
from srs_projects import decisions, domain
from srs_projects.members import requests, roster
from srs_projects.members.schemas import MemberCreate
from srs_projects.models import MemberRequest, ProjectMember
from srs_projects.visibility import led_project, visible_project


async def add_member(
    session: AsyncSession, principal: Principal, project_id: str, data: MemberCreate
) -> ProjectMember | MemberRequest:
    """The lead names a member; the role rules apply. On an application the member joins
    at once; on an approved project someone who will see data is a request staff decide."""
    project = await led_project(session, principal, project_id)
    domain.require_status(project.status, domain.MEMBERSHIP_OPEN, "add a member to")
    if requests.needs_approval(project, data.role):
        return await requests.request_member(
            session,
            project,
            researcher_id=data.researcher_id,
            role=data.role,
            name=data.name,
            supervisor_id=data.supervisor_id,
            requested_by=principal.actor_id,
            now=utcnow(),
        )
    return await roster.add_member(
        session,
        project,
        researcher_id=data.researcher_id,
        role=data.role,
        name=data.name,
        supervisor_id=data.supervisor_id,
        now=utcnow(),
    )


async def remove_member(
    session: AsyncSession, principal: Principal, project_id: str, researcher_id: str
) -> None:
    """The lead removes a member (never themselves, nor someone's supervisor), or
    withdraws a request to add one that awaits a decision."""
    project = await led_project(session, principal, project_id)
    now = utcnow()
    if await session.get(
        ProjectMember, (project.id, researcher_id)
    ) is None and await requests.withdraw(session, project, researcher_id, principal.actor_id, now):
        return
    await roster.remove_member(session, project, researcher_id, now)


def _check_member_approver(principal: Principal, approver: str) -> None:
    if not principal.has(approver):
        raise Forbidden(f"requests to add members are decided by the {approver} role")


async def decide_member_request(
    session: AsyncSession,
    principal: Principal,
    project_id: str,
    request_id: str,
    *,
    approve: bool,
    reason: str | None,
    approver: str,
) -> MemberRequest:
    """Staff (or the panel, when ``approver`` is ``panel``) approve or refuse a request to
    add a member; the project row is locked, so two deciders cannot both win."""
    _check_member_approver(principal, approver)
    project = await visible_project(session, principal, project_id, for_update=True)
    now = utcnow()
    request = await requests.decide(
        session,
        project,
        request_id,
        approve=approve,
        decided_by=principal.sub,
        reason=reason,
        now=now,
    )
    await decisions.record_decision(
        session,
        project.id,
        "approve_member" if approve else "refuse_member",
        actor=principal.actor_id,
        reason=reason,
        at=now,
        researcher_id=request.researcher_id,
        member_request_id=request.id,
    )
    return request


async def member_requests_of(
    session: AsyncSession, principal: Principal, project_id: str, status: str | None
) -> list[MemberRequest]:
    await visible_project(session, principal, project_id)
    return await requests.requests_of(session, project_id, status)
