"""Project use cases: load, apply domain rules, add outbox events, flush (never commit)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.auth import Principal
from srs_common.contracts.projects import (
    FinalPublication,
    ProjectActivated,
    ProjectApproved,
    ProjectCompleted,
    ProjectExtended,
    ProjectInformationRequested,
    ProjectRejected,
    ProjectResumed,
    ProjectSubmitted,
    ProjectSuspended,
)
from srs_common.contracts.projects import (
    ProjectMember as MemberContract,
)
from srs_common.db import utcnow
from srs_common.errors import (
    AppError,
    Conflict,
    Forbidden,
    IllegalTransition,
    NotFound,
    RuleViolation,
)
from srs_common.events.outbox import publish
from srs_common.ids import new_id
from srs_common.pagination import Page, decode_cursor, encode_cursor
from srs_projects import domain, member_requests, members
from srs_projects.domain import ProjectStatus
from srs_projects.models import (
    ExtensionRequest,
    MemberRequest,
    Project,
    ProjectDecision,
    ProjectMember,
)
from srs_projects.schemas import (
    CompletionCreate,
    ExtensionCreate,
    MemberCreate,
    PriorityDecision,
    ProjectCreate,
    ProjectRead,
    ProjectSummary,
    ProjectUpdate,
)
from srs_projects.schemas import (
    ProjectDecision as ApprovalIn,
)


def caller_id(principal: Principal) -> str:
    return principal.researcher_id or principal.sub


def time_cursor(cursor: str | None) -> tuple[dt.datetime, str] | None:
    """The (timestamp, id) sort key a cursor carries; 422 for one this API did not issue."""
    values = decode_cursor(cursor)
    if values is None:
        return None
    try:
        when, last_id = values
        return dt.datetime.fromisoformat(when), str(last_id)
    except (TypeError, ValueError):
        raise AppError(
            "the cursor is not one this API issued", status=422, title="Invalid cursor"
        ) from None


def _not_found(project_id: str) -> NotFound:
    return NotFound(f"project {project_id} not found")


# --- who sees what ------------------------------------------------------------------------


def visibility(principal: Principal) -> ColumnElement[bool]:
    """Projects the caller may see: researchers their own, the panel anything submitted,
    a partner its organisation's, support everything; nobody else anything."""
    if principal.has("support"):
        return true()
    clauses: list[ColumnElement[bool]] = []
    if principal.has("panel"):
        clauses.append(Project.status != ProjectStatus.DRAFT)
    if principal.has("partner") and principal.org:
        clauses.append(Project.organisation_id == principal.org)
    if principal.has("researcher"):
        clauses.append(
            Project.id.in_(
                select(ProjectMember.project_id).where(
                    ProjectMember.researcher_id == caller_id(principal)
                )
            )
        )
    return or_(*clauses) if clauses else false()


async def visible_project(
    session: AsyncSession, principal: Principal, project_id: str, *, for_update: bool = False
) -> Project:
    """The project if the caller may see it; 404 otherwise (existence never leaks)."""
    stmt = select(Project).where(Project.id == project_id, visibility(principal))
    if for_update:
        stmt = stmt.with_for_update()
    project = (await session.execute(stmt)).scalar_one_or_none()
    if project is None:
        raise _not_found(project_id)
    return project


async def led_project(session: AsyncSession, principal: Principal, project_id: str) -> Project:
    """The project, locked, if the caller leads it (members who don't lead get 403)."""
    project = await visible_project(session, principal, project_id, for_update=True)
    if project.lead_researcher_id != caller_id(principal):
        raise Forbidden("only the lead researcher can do this")
    return project


async def read(session: AsyncSession, project: Project) -> ProjectRead:
    decisions = (
        (
            await session.execute(
                select(ProjectDecision)
                .where(ProjectDecision.project_id == project.id)
                .order_by(ProjectDecision.id)
            )
        )
        .scalars()
        .all()
    )
    linkage: dict[str, Any] | None = None
    if project.linkage:
        linkage = dict(project.linkage)
        if linkage.get("idbr"):
            linkage["idbr_performed_by"] = domain.idbr_performed_by(linkage["idbr"]["method"])
    data = {c.key: getattr(project, c.key) for c in Project.__table__.columns}
    return ProjectRead.model_validate(
        {
            **data,
            "linkage": linkage,
            "members": await members.members_of(session, project.id),
            "decisions": decisions,
        }
    )


async def list_projects(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> Page[ProjectSummary]:
    """Projects the caller may see, oldest first, filtered by status."""
    stmt = select(Project).where(visibility(principal))
    if status:
        stmt = stmt.where(Project.status == status)
    after = time_cursor(cursor)
    if after:
        created, last_id = after
        stmt = stmt.where(
            or_(
                Project.created_at > created,
                and_(Project.created_at == created, Project.id > last_id),
            )
        )
    rows = (
        (await session.execute(stmt.order_by(Project.created_at, Project.id).limit(limit + 1)))
        .scalars()
        .all()
    )
    page = rows[:limit]
    next_cursor = (
        encode_cursor([page[-1].created_at.isoformat(), page[-1].id]) if len(rows) > limit else None
    )
    return Page(items=[ProjectSummary.model_validate(p) for p in page], next=next_cursor)


# --- the application ----------------------------------------------------------------------


async def create_project(
    session: AsyncSession, principal: Principal, data: ProjectCreate
) -> Project:
    """An accredited researcher drafts a project application and leads it. The project's
    organisation is the lead's (their researcher record, else their token's verified
    ``org`` claim), never one the body names."""
    lead = caller_id(principal)
    domain.check_member(
        lead, domain.Role.LEAD, await members.accreditation_of(session, lead), utcnow().date()
    )
    organisation = await members.organisation_of(session, lead) or principal.org
    if organisation is None:
        raise RuleViolation(
            "the lead researcher's organisation is not known yet", rule="organisation_unknown"
        )
    if data.organisation_id is not None and data.organisation_id != organisation:
        raise RuleViolation(
            f"organisation_id must be the lead researcher's organisation ({organisation})",
            rule="organisation_not_leads",
            organisation_id=organisation,
        )
    values = data.model_dump(mode="python")
    values["organisation_id"] = organisation
    values["linkage"] = data.linkage.model_dump(mode="json") if data.linkage else None
    project = Project(
        id=new_id("prj"), status=ProjectStatus.DRAFT, lead_researcher_id=lead, **values
    )
    session.add(project)
    session.add(
        ProjectMember(project_id=project.id, researcher_id=lead, role=domain.Role.LEAD, active=True)
    )
    await session.flush()
    return project


async def update_application(
    session: AsyncSession, principal: Principal, project_id: str, changes: ProjectUpdate
) -> Project:
    """The lead edits the application while it is a draft or back with them."""
    project = await led_project(session, principal, project_id)
    domain.require_status(project.status, domain.EDITABLE, "edit")
    for field in changes.model_fields_set:
        value = getattr(changes, field)
        if field == "linkage":
            value = changes.linkage.model_dump(mode="json") if changes.linkage else None
        elif value is None and field not in ("expected_start_date",):
            continue
        setattr(project, field, value)
    if project.expected_start_date and project.expected_start_date >= project.expected_end_date:
        raise RuleViolation(
            "expected_start_date must be before expected_end_date", rule="dates_in_order"
        )
    await session.flush()
    return project


async def _check_ready(session: AsyncSession, project: Project) -> None:
    problems = domain.submission_problems(
        lay_summary=project.lay_summary,
        public_benefit=project.public_benefit,
        expected_start_date=project.expected_start_date,
        ethics_confirmed=project.ethics_confirmed,
        data_source_acknowledged=project.data_source_acknowledged,
        linkage=project.linkage,
    )
    if problems:
        raise RuleViolation(
            "the application is not ready for the panel: " + "; ".join(problems),
            rule="application_incomplete",
            problems=problems,
        )
    await members.check_all_members(session, project, utcnow().date())


async def submit_project(
    session: AsyncSession, principal: Principal, project_id: str, *, resubmission: bool = False
) -> Project:
    """The lead sends a complete application to the Research Accreditation Panel."""
    project = await led_project(session, principal, project_id)
    project.status = domain.transition(project.status, "resubmit" if resubmission else "submit")
    await _check_ready(session, project)
    project.submitted_at = utcnow()
    await publish(
        session,
        ProjectSubmitted(
            project_id=project.id,
            organisation_id=project.organisation_id,
            title=project.title,
            lead_researcher_id=project.lead_researcher_id,
            priority=project.priority,
            resubmission=resubmission,
            occurred_at=project.submitted_at,
        ),
        subject=project.id,
    )
    await session.flush()
    return project


# --- panel review ---------------------------------------------------------------------------


def _record(
    session: AsyncSession,
    project: Project,
    action: str,
    principal: Principal,
    reason: str | None,
    now: dt.datetime,
) -> None:
    session.add(
        ProjectDecision(
            project_id=project.id,
            action=action,
            decided_by=principal.sub,
            reason=reason,
            decided_at=now,
        )
    )


async def start_review(session: AsyncSession, principal: Principal, project_id: str) -> Project:
    """A panel member takes a submitted (or resubmitted) application under review."""
    project = await visible_project(session, principal, project_id, for_update=True)
    project.status = domain.transition(project.status, "start_review")
    _record(session, project, "start_review", principal, None, utcnow())
    await session.flush()
    return project


async def request_information(
    session: AsyncSession, principal: Principal, project_id: str, reason: str
) -> Project:
    """The panel sends the application back to the lead with its questions."""
    project = await visible_project(session, principal, project_id, for_update=True)
    project.status = domain.transition(project.status, "request_information")
    now = utcnow()
    _record(session, project, "request_information", principal, reason, now)
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


async def approve_project(
    session: AsyncSession, principal: Principal, project_id: str, decision: ApprovalIn
) -> Project:
    """The panel approves: one outbox event carries everything provisioning needs.

    The project row is locked first, so of two panel members deciding at once exactly
    one wins; the other sees the new state and gets 409."""
    project = await visible_project(session, principal, project_id, for_update=True)
    project.status = domain.transition(project.status, "approve")
    project.approved_at = utcnow()
    project.conditions = decision.conditions
    if decision.priority is not None:
        project.priority = decision.priority
    _record(session, project, "approve", principal, decision.reason, project.approved_at)
    active = [m for m in await members.members_of(session, project.id) if m.active]
    await publish(
        session,
        ProjectApproved(
            project_id=project.id,
            title=project.title,
            organisation_id=project.organisation_id,
            legal_gateway=project.legal_gateway,
            dataset_ids=list(project.dataset_ids),
            members=[MemberContract(researcher_id=m.researcher_id, role=m.role) for m in active],
            expected_end_date=project.expected_end_date,
            priority=project.priority,
            conditions=project.conditions,
            approved_at=project.approved_at,
        ),
        subject=project.id,
    )
    await session.flush()
    return project


async def decide_priority(
    session: AsyncSession, principal: Principal, project_id: str, data: PriorityDecision
) -> Project:
    """The panel grants (or withholds) priority between submission and its decision; only
    granted priority is published, with the approval, for other queues to honour."""
    project = await visible_project(session, principal, project_id, for_update=True)
    domain.require_status(project.status, domain.UNDECIDED, "decide the priority of")
    project.priority = data.priority
    _record(
        session,
        project,
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
    project.status = domain.transition(project.status, "reject")
    now = utcnow()
    _record(session, project, "reject", principal, reason, now)
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


async def activate_project(
    session: AsyncSession, project_id: str, provisioned_at: dt.datetime
) -> None:
    """The project space exists: the project becomes active (once)."""
    project = await session.get(Project, project_id, with_for_update=True)
    if (
        project is not None
        and project.status == ProjectStatus.SUSPENDED
        and project.activated_at is None
    ):
        project.activated_at = provisioned_at  # suspended before its space was ready
        return
    if project is None or project.status != ProjectStatus.APPROVED:
        return  # unknown, or already active: a redelivery changes nothing
    project.status = domain.transition(project.status, "activate")
    project.activated_at = provisioned_at
    await publish(
        session,
        ProjectActivated(
            project_id=project.id,
            organisation_id=project.organisation_id,
            dataset_ids=list(project.dataset_ids),
            occurred_at=provisioned_at,
        ),
        subject=project.id,
    )
    await session.flush()


# --- members --------------------------------------------------------------------------------


async def add_member(
    session: AsyncSession, principal: Principal, project_id: str, data: MemberCreate
) -> ProjectMember | MemberRequest:
    """The lead names a member; the role rules apply. On an application the member joins
    at once; on an approved project someone who will see data is a request staff decide."""
    project = await led_project(session, principal, project_id)
    domain.require_status(project.status, domain.MEMBERSHIP_OPEN, "add a member to")
    if member_requests.needs_approval(project, data.role):
        return await member_requests.request_member(
            session,
            project,
            researcher_id=data.researcher_id,
            role=data.role,
            name=data.name,
            supervisor_id=data.supervisor_id,
            requested_by=caller_id(principal),
            now=utcnow(),
        )
    return await members.add_member(
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
    ) is None and await member_requests.withdraw(
        session, project, researcher_id, caller_id(principal), now
    ):
        return
    await members.remove_member(session, project, researcher_id, now)


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
    return await member_requests.decide(
        session,
        project,
        request_id,
        approve=approve,
        decided_by=principal.sub,
        reason=reason,
        now=utcnow(),
    )


async def member_requests_of(
    session: AsyncSession, principal: Principal, project_id: str, status: str | None
) -> list[MemberRequest]:
    await visible_project(session, principal, project_id)
    return await member_requests.requests_of(session, project_id, status)


# --- during the project -----------------------------------------------------------------------


async def suspend_project(
    session: AsyncSession, principal: Principal, project_id: str, reason: str
) -> Project:
    """Service staff suspend an active project: no access until resumed."""
    project = await visible_project(session, principal, project_id, for_update=True)
    project.status = domain.transition(project.status, "suspend")
    project.suspension_reason = domain.SuspensionReason.STAFF
    now = utcnow()
    _record(session, project, "suspend", principal, reason, now)
    await publish(
        session,
        ProjectSuspended(
            project_id=project.id,
            organisation_id=project.organisation_id,
            reason=reason,
            occurred_at=now,
        ),
        subject=project.id,
    )
    await session.flush()
    return project


async def resume_project(
    session: AsyncSession, principal: Principal, project_id: str, reason: str
) -> Project:
    """Service staff resume a project they suspended (a revoked lead's project resumes
    with the handover to a new lead; an overdue one with an extension)."""
    project = await visible_project(session, principal, project_id, for_update=True)
    if project.suspension_reason == domain.SuspensionReason.LEAD_REVOKED:
        raise RuleViolation(
            "the lead researcher's accreditation was revoked: name a new lead "
            "(POST /v1/projects/{project_id}/lead) to resume the project",
            rule="new_lead_required",
        )
    if project.suspension_reason == domain.SuspensionReason.OVERDUE:
        raise RuleViolation(
            "the project is past its completion date: an approved extension "
            "or completion ends the suspension",
            rule="extension_required",
        )
    project.status = domain.resume(project.status, project.activated_at is not None)
    project.suspension_reason = None
    now = utcnow()
    _record(session, project, "resume", principal, reason, now)
    await publish(
        session,
        ProjectResumed(
            project_id=project.id, organisation_id=project.organisation_id, occurred_at=now
        ),
        subject=project.id,
    )
    await session.flush()
    return project


async def request_extension(
    session: AsyncSession, principal: Principal, project_id: str, data: ExtensionCreate
) -> ExtensionRequest:
    """The lead asks for a later completion date; support decides."""
    project = await led_project(session, principal, project_id)
    if not domain.overdue_ended(project.status, project.suspension_reason):
        domain.require_status(project.status, frozenset({ProjectStatus.ACTIVE}), "extend")
    domain.check_extension(project.expected_end_date, data.expected_end_date, utcnow().date())
    pending = (
        await session.execute(
            select(ExtensionRequest.id).where(
                ExtensionRequest.project_id == project.id, ExtensionRequest.status == "requested"
            )
        )
    ).first()
    if pending is not None:
        raise Conflict(f"extension {pending.id} is already awaiting a decision")
    request = ExtensionRequest(
        id=new_id("ext"),
        project_id=project.id,
        requested_end_date=data.expected_end_date,
        reason=data.reason,
        status="requested",
        requested_by=caller_id(principal),
        requested_at=utcnow(),
    )
    session.add(request)
    await session.flush()
    return request


async def decide_extension(
    session: AsyncSession,
    principal: Principal,
    project_id: str,
    extension_id: str,
    *,
    approve: bool,
) -> ExtensionRequest:
    """Support approves (the completion date moves; event) or refuses an extension."""
    project = await visible_project(session, principal, project_id, for_update=True)
    request = await session.get(ExtensionRequest, extension_id, with_for_update=True)
    if request is None or request.project_id != project.id:
        raise NotFound(f"extension {extension_id} not found")
    if request.status != "requested":
        raise IllegalTransition(
            "extension request", request.status, "approve" if approve else "refuse"
        )
    now = utcnow()
    request.status = "approved" if approve else "refused"
    request.decided_by = principal.sub
    request.decided_at = now
    if approve:
        was_overdue = domain.overdue_ended(project.status, project.suspension_reason)
        if not was_overdue:
            domain.require_status(project.status, frozenset({ProjectStatus.ACTIVE}), "extend")
        previous, project.expected_end_date = project.expected_end_date, request.requested_end_date
        await publish(
            session,
            ProjectExtended(
                project_id=project.id,
                organisation_id=project.organisation_id,
                previous_end_date=previous,
                expected_end_date=project.expected_end_date,
                occurred_at=now,
            ),
            subject=project.id,
        )
        if was_overdue:
            await _end_overdue(session, project, principal, now)
    await session.flush()
    return request


async def _end_overdue(
    session: AsyncSession, project: Project, principal: Principal, now: dt.datetime
) -> None:
    """An extension ends the overdue state; a project suspended for it resumes."""
    project.overdue_grace_ends_at = project.overdue_reminded_at = None
    if project.status == ProjectStatus.SUSPENDED:
        project.status = domain.resume(project.status, project.activated_at is not None)
        project.suspension_reason = None
        _record(session, project, "resume", principal, "extension approved", now)
        await publish(
            session,
            ProjectResumed(
                project_id=project.id, organisation_id=project.organisation_id, occurred_at=now
            ),
            subject=project.id,
        )
    else:
        project.status = ProjectStatus.ACTIVE


async def extensions_of(
    session: AsyncSession, principal: Principal, project_id: str
) -> list[ExtensionRequest]:
    await visible_project(session, principal, project_id)
    return list(
        (
            await session.execute(
                select(ExtensionRequest)
                .where(ExtensionRequest.project_id == project_id)
                .order_by(ExtensionRequest.requested_at)
            )
        )
        .scalars()
        .all()
    )


async def complete_project(
    session: AsyncSession, principal: Principal, project_id: str, data: CompletionCreate
) -> Project:
    """The lead completes the project, recording its final publications; other services
    disable accounts, cancel bookings and have pre-publication outputs destroyed."""
    project = await led_project(session, principal, project_id)
    project.status = domain.completion_target(project.status, project.suspension_reason)
    project.suspension_reason = project.overdue_grace_ends_at = None
    now = utcnow()
    publications = [
        FinalPublication(title=p.title, url=str(p.url) if p.url else None)
        for p in data.final_publications
    ]
    project.final_publications = [p.model_dump() for p in publications]
    project.completed_at = now
    everyone = await members.members_of(session, project.id)
    await publish(
        session,
        ProjectCompleted(
            project_id=project.id,
            organisation_id=project.organisation_id,
            lead_researcher_id=project.lead_researcher_id,
            member_ids=[m.researcher_id for m in everyone],
            final_publications=publications,
            occurred_at=now,
        ),
        subject=project.id,
    )
    await session.flush()
    return project
