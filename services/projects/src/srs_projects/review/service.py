"""The Research Accreditation Panel's review: under review, information requested,
priority, approval and rejection; each decision goes into the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.auth import Principal
from srs_common.contracts.projects import (
    ProjectApproved,
    ProjectInformationRequested,
    ProjectRejected,
)
from srs_common.contracts.projects import ProjectMember as MemberContract
from srs_common.db import utcnow
from srs_common.events.outbox import publish
from srs_projects import decisions, domain
from srs_projects.domain import ProjectAction
from srs_projects.linkage import tasks as linkage_tasks
from srs_projects.members import names
from srs_projects.models import DatasetRequirementTask, Project
from srs_projects.requirements import service as dataset_requirements
from srs_projects.review.schemas import PriorityDecision
from srs_projects.review.schemas import ProjectDecision as ApprovalIn
from srs_projects.visibility import visible_project


async def start_review(session: AsyncSession, principal: Principal, project_id: str) -> Project:
    """A panel member takes a submitted (or resubmitted) application under review."""
    project = await visible_project(session, principal, project_id, for_update=True)
    project.status = domain.transition(project.status, ProjectAction.START_REVIEW)
    await decisions.record_by(session, project.id, "start_review", principal, None, utcnow())
    await session.flush()
    return project


async def request_information(
    session: AsyncSession, principal: Principal, project_id: str, reason: str
) -> Project:
    """The panel sends the application back to the lead with its questions."""
    project = await visible_project(session, principal, project_id, for_update=True)
    project.status = domain.transition(project.status, ProjectAction.REQUEST_INFORMATION)
    now = utcnow()
    await decisions.record_by(session, project.id, "request_information", principal, reason, now)
    await publish(
        session,
        ProjectInformationRequested(
            project_id=project.id,
            organisation_id=project.organisation_id,
            lead_researcher_id=project.lead_researcher_id,
            occurred_at=now,
        ),
        subject=project.id,
    )
    await session.flush()
    return project


@dataclass(frozen=True)
class Approval:
    """An approved project, with what was read to approve it and is still true after:
    its members (named, as its page shows them) and its dataset requirements."""

    project: Project
    members: list[dict[str, Any]]
    requirements: list[DatasetRequirementTask]


async def approve_project(
    session: AsyncSession, principal: Principal, project_id: str, decision: ApprovalIn
) -> Approval:
    """The panel approves: one outbox event carries everything provisioning needs.

    The project row is locked first, so of two panel members deciding at once exactly
    one wins; the other sees the new state and gets 409."""
    project = await visible_project(session, principal, project_id, for_update=True)
    approved = domain.transition(project.status, ProjectAction.APPROVE)
    requirements = await dataset_requirements.check_approvable(session, project.id)
    project.status = approved  # after the read above, so one UPDATE carries it all
    project.approved_at = utcnow()
    project.conditions = decision.conditions
    if decision.priority is not None:
        project.priority = decision.priority
    await decisions.record_decision(
        session,
        project.id,
        "approve",
        actor=principal.actor_id,
        reason=decision.reason,
        at=project.approved_at,
        conditions=decision.conditions,
        priority=project.priority,
    )
    await linkage_tasks.open_task(session, project, project.approved_at)
    members = await names.named_members_of(session, project.id)
    active = [m for m in members if m["active"]]
    await publish(
        session,
        ProjectApproved(
            project_id=project.id,
            title=project.title,
            organisation_id=project.organisation_id,
            legal_gateway=project.legal_gateway,
            dataset_ids=list(project.dataset_ids),
            members=[
                MemberContract(researcher_id=m["researcher_id"], role=m["role"]) for m in active
            ],
            expected_end_date=project.expected_end_date,
            priority=project.priority,
            conditions=project.conditions,
            approved_at=project.approved_at,
        ),
        subject=project.id,
    )
    await session.flush()
    return Approval(project, members, requirements)


async def decide_priority(
    session: AsyncSession, principal: Principal, project_id: str, data: PriorityDecision
) -> Project:
    """The panel grants (or withholds) priority between submission and its decision; only
    granted priority is published, with the approval, for other queues to honour."""
    project = await visible_project(session, principal, project_id, for_update=True)
    domain.require_status(project.status, domain.UNDECIDED, "decide the priority of")
    project.priority = data.priority
    await decisions.record_by(
        session,
        project.id,
        "grant_priority" if data.priority else "withhold_priority",
        principal,
        data.reason,
        utcnow(),
    )
    await session.flush()
    return project


async def reject_project(
    session: AsyncSession, principal: Principal, project_id: str, reason: str
) -> Project:
    """The panel rejects, with its reasons (same lock as approval)."""
    project = await visible_project(session, principal, project_id, for_update=True)
    project.status = domain.transition(project.status, ProjectAction.REJECT)
    now = utcnow()
    await decisions.record_by(session, project.id, "reject", principal, reason, now)
    await publish(
        session,
        ProjectRejected(
            project_id=project.id,
            organisation_id=project.organisation_id,
            lead_researcher_id=project.lead_researcher_id,
            reason=reason,
            occurred_at=now,
        ),
        subject=project.id,
    )
    await session.flush()
    return project
