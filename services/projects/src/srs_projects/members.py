"""Members and roles, and the accreditation read model that decides who may hold them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.contracts.accreditation import (
    AccreditationExpired,
    AccreditationGranted,
    AccreditationReinstated,
    AccreditationRenewed,
    AccreditationRevoked,
    AccreditationSuspended,
)
from srs_common.contracts.projects import (
    ProjectMemberAdded,
    ProjectMemberDeactivated,
    ProjectMemberReactivated,
    ProjectMemberRemoved,
)
from srs_common.db import utcnow
from srs_common.errors import Conflict, RuleViolation
from srs_common.events.outbox import publish
from srs_projects import domain
from srs_projects.models import (
    Project,
    ProjectMember,
    ResearcherAccreditation,
    ResearcherOrganisation,
)

AccreditationState = (
    AccreditationGranted
    | AccreditationRenewed
    | AccreditationExpired
    | AccreditationSuspended
    | AccreditationReinstated
    | AccreditationRevoked
)


async def accreditation_of(
    session: AsyncSession, researcher_id: str, today: dt.date | None = None
) -> domain.Accreditation | None:
    """The accreditation that decides, of every one the researcher holds."""
    rows = (
        (
            await session.execute(
                select(ResearcherAccreditation).where(
                    ResearcherAccreditation.researcher_id == researcher_id
                )
            )
        )
        .scalars()
        .all()
    )
    return domain.best_accreditation(
        [
            domain.Accreditation(kind=r.kind, status=r.status, valid_until=r.valid_until)
            for r in rows
        ],
        today or utcnow().date(),
    )


async def organisation_of(session: AsyncSession, researcher_id: str) -> str | None:
    row = await session.get(ResearcherOrganisation, researcher_id)
    return row.organisation_id if row is not None else None


async def record_organisation(
    session: AsyncSession,
    researcher_id: str,
    organisation_id: str,
    at: dt.datetime,
    *,
    from_researcher_record: bool,
) -> None:
    """Keep the researcher's organisation: the researcher record's newest event decides;
    an accreditation event's organisation only stands in until such an event arrives."""
    row = await session.get(ResearcherOrganisation, researcher_id, with_for_update=True)
    if row is None:
        session.add(
            ResearcherOrganisation(
                researcher_id=researcher_id,
                organisation_id=organisation_id,
                from_researcher_record=from_researcher_record,
                as_of=at,
            )
        )
    else:
        outranks = from_researcher_record and not row.from_researcher_record
        same_rank_newer = from_researcher_record == row.from_researcher_record and row.as_of <= at
        if outranks or same_rank_newer:
            row.organisation_id = organisation_id
            row.from_researcher_record = from_researcher_record
            row.as_of = at
    await session.flush()


async def members_of(session: AsyncSession, project_id: str) -> list[ProjectMember]:
    return list(
        (
            await session.execute(
                select(ProjectMember)
                .where(ProjectMember.project_id == project_id)
                .order_by(ProjectMember.researcher_id)
            )
        )
        .scalars()
        .all()
    )


async def check_eligible(
    session: AsyncSession,
    project_id: str,
    researcher_id: str,
    role: str,
    today: dt.date,
    *,
    name: str | None = None,
    supervisor_id: str | None = None,
) -> None:
    """Apply the role rules to one (would-be) member, reading the accreditation model."""
    supervisor_role = supervisor_accreditation = None
    if supervisor_id is not None:
        supervisor = await session.get(ProjectMember, (project_id, supervisor_id))
        if supervisor is not None and supervisor.active:
            supervisor_role = supervisor.role
            supervisor_accreditation = await accreditation_of(session, supervisor_id, today)
    domain.check_member(
        researcher_id,
        role,
        await accreditation_of(session, researcher_id, today),
        today,
        name=name,
        supervisor_id=supervisor_id,
        supervisor_role=supervisor_role,
        supervisor_accreditation=supervisor_accreditation,
    )


async def check_all_members(session: AsyncSession, project: Project, today: dt.date) -> None:
    """Everyone named still meets the role rules (checked again on submission)."""
    for member in await members_of(session, project.id):
        await check_eligible(
            session,
            project.id,
            member.researcher_id,
            member.role,
            today,
            name=member.name,
            supervisor_id=member.supervisor_id,
        )


async def add_member(
    session: AsyncSession,
    project: Project,
    *,
    researcher_id: str,
    role: str,
    name: str | None,
    supervisor_id: str | None,
    now: dt.datetime,
) -> ProjectMember:
    """Name a member on a project (the caller has locked the project row)."""
    domain.require_status(project.status, domain.MEMBERSHIP_OPEN, "add a member to")
    if await session.get(ProjectMember, (project.id, researcher_id)) is not None:
        raise Conflict(f"{researcher_id} is already a member of this project")
    await check_eligible(
        session, project.id, researcher_id, role, now.date(), name=name, supervisor_id=supervisor_id
    )
    member = ProjectMember(
        project_id=project.id,
        researcher_id=researcher_id,
        role=role,
        name=name,
        supervisor_id=supervisor_id,
        active=True,
    )
    session.add(member)
    if project.status in domain.RUNNING:
        await publish(
            session,
            ProjectMemberAdded(
                project_id=project.id,
                organisation_id=project.organisation_id,
                researcher_id=researcher_id,
                role=role,
                occurred_at=now,
            ),
            subject=project.id,
        )
    await session.flush()
    return member


async def remove_member(
    session: AsyncSession, project: Project, researcher_id: str, now: dt.datetime
) -> None:
    domain.require_status(project.status, domain.MEMBERSHIP_OPEN, "remove a member from")
    member = await session.get(ProjectMember, (project.id, researcher_id))
    if member is None:
        raise RuleViolation(f"{researcher_id} is not a member of this project", rule="not_a_member")
    if member.role == domain.Role.LEAD:
        raise RuleViolation("the lead researcher cannot be removed", rule="lead_stays")
    supervised = [
        m.researcher_id
        for m in await members_of(session, project.id)
        if m.supervisor_id == researcher_id
    ]
    if supervised:
        raise RuleViolation(
            f"{researcher_id} supervises {', '.join(supervised)}; name another supervisor first",
            rule="supervisor_in_use",
        )
    await session.delete(member)
    if project.status in domain.RUNNING:
        await publish(
            session,
            ProjectMemberRemoved(
                project_id=project.id,
                organisation_id=project.organisation_id,
                researcher_id=researcher_id,
                role=member.role,
                occurred_at=now,
            ),
            subject=project.id,
        )
    await session.flush()


# --- the accreditation read model ---------------------------------------------------------


async def apply_accreditation(session: AsyncSession, state: AccreditationState) -> bool:
    """Keep every accreditation the researcher holds, then bring their memberships in line
    with the best current one; returns whether they still hold a current accreditation.

    Events may arrive late or twice: one older than the newest applied to the same
    accreditation changes nothing, and the membership effects are guarded by state, so a
    repeat adds no events."""
    key = (state.researcher_id, state.accreditation_id)
    row = await session.get(ResearcherAccreditation, key, with_for_update=True)
    if row is None:
        row = ResearcherAccreditation(
            researcher_id=state.researcher_id, accreditation_id=state.accreditation_id
        )
        session.add(row)
    if row.as_of is None or row.as_of <= state.occurred_at:
        row.kind = state.kind
        row.status = state.status
        row.valid_until = state.valid_until
        row.as_of = state.occurred_at
    await session.flush()
    await record_organisation(
        session,
        state.researcher_id,
        state.organisation_id,
        state.occurred_at,
        from_researcher_record=False,
    )
    today = state.occurred_at.date()
    best = await accreditation_of(session, state.researcher_id, today)
    if best is None or not best.is_current(today):
        lost = state.status if state.status != "current" else "expired"
        await _deactivate_everywhere(session, state.researcher_id, lost, state.occurred_at)
        return False
    await _reactivate_everywhere(session, state.researcher_id, best, state.occurred_at)
    return True


async def _memberships(
    session: AsyncSession, researcher_id: str, *, active: bool
) -> list[tuple[ProjectMember, Project]]:
    # Lock as the API does - the project rows first, in id order, then the member rows.
    # Locking both through the join took them in plan order (member first) and
    # deadlocked with a concurrent member change.
    await session.execute(
        select(Project.id)
        .where(
            Project.id.in_(
                select(ProjectMember.project_id).where(ProjectMember.researcher_id == researcher_id)
            )
        )
        .order_by(Project.id)
        .with_for_update()
    )
    rows = (
        await session.execute(
            select(ProjectMember, Project)
            .join(Project, Project.id == ProjectMember.project_id)
            .where(
                ProjectMember.researcher_id == researcher_id,
                ProjectMember.active.is_(active),
                ProjectMember.role.in_([r.value for r in domain.ACCREDITED_ROLES]),
                Project.status.not_in([s.value for s in domain.CLOSED]),
            )
            .order_by(Project.id)
            .with_for_update(of=ProjectMember)
        )
    ).all()
    return [(m, p) for m, p in rows]


SUPERVISOR_INACTIVE = "supervisor_inactive"


async def _supervisees(
    session: AsyncSession, project_id: str, supervisor_id: str
) -> list[ProjectMember]:
    return list(
        (
            await session.execute(
                select(ProjectMember)
                .where(
                    ProjectMember.project_id == project_id,
                    ProjectMember.supervisor_id == supervisor_id,
                )
                .order_by(ProjectMember.researcher_id)
                .with_for_update()
            )
        )
        .scalars()
        .all()
    )


async def _set_inactive(
    session: AsyncSession, project: Project, member: ProjectMember, reason: str, now: dt.datetime
) -> None:
    member.active = False
    member.inactive_reason = reason
    await publish(
        session,
        ProjectMemberDeactivated(
            project_id=project.id,
            organisation_id=project.organisation_id,
            researcher_id=member.researcher_id,
            role=member.role,
            reason=reason,
            occurred_at=now,
        ),
        subject=project.id,
    )


async def set_active(
    session: AsyncSession, project: Project, member: ProjectMember, now: dt.datetime
) -> None:
    member.active = True
    member.inactive_reason = None
    await publish(
        session,
        ProjectMemberReactivated(
            project_id=project.id,
            organisation_id=project.organisation_id,
            researcher_id=member.researcher_id,
            role=member.role,
            occurred_at=now,
        ),
        subject=project.id,
    )


async def _deactivate_everywhere(
    session: AsyncSession, researcher_id: str, lost: str, now: dt.datetime
) -> None:
    """A member who loses accreditation is inactive on every project at once, and so is
    any provisional researcher working there under their supervision."""
    for member, project in await _memberships(session, researcher_id, active=True):
        await _set_inactive(session, project, member, f"accreditation_{lost}", now)
        for supervisee in await _supervisees(session, project.id, researcher_id):
            own = await accreditation_of(session, supervisee.researcher_id, now.date())
            if supervisee.active and not (own and own.is_full(now.date())):
                await _set_inactive(session, project, supervisee, SUPERVISOR_INACTIVE, now)
    await session.flush()


async def _supervision_holds(session: AsyncSession, member: ProjectMember, today: dt.date) -> bool:
    """The member's named supervisor is active on the project and fully accredited."""
    if member.supervisor_id is None:
        return False
    supervisor = await session.get(ProjectMember, (member.project_id, member.supervisor_id))
    if supervisor is None or not supervisor.active:
        return False
    accreditation = await accreditation_of(session, member.supervisor_id, today)
    return accreditation is not None and accreditation.is_full(today)


async def _reactivate_everywhere(
    session: AsyncSession, researcher_id: str, accreditation: domain.Accreditation, now: dt.datetime
) -> None:
    """Accreditation current again: memberships lost to it come back where the role
    still fits (a data peer reviewer must be fully accredited; a provisional researcher
    needs their supervisor active), and so do the provisional researchers they supervise."""
    today = now.date()
    for member, project in await _memberships(session, researcher_id, active=False):
        reason = member.inactive_reason or ""
        if not (reason.startswith("accreditation_") or reason == SUPERVISOR_INACTIVE):
            continue
        if member.role == domain.Role.PEER_REVIEWER_DATA and not accreditation.is_full(today):
            continue
        if not accreditation.is_full(today) and not await _supervision_holds(
            session, member, today
        ):
            member.inactive_reason = SUPERVISOR_INACTIVE
            continue
        await set_active(session, project, member, now)
        for supervisee in await _supervisees(session, project.id, researcher_id):
            own = await accreditation_of(session, supervisee.researcher_id, today)
            if (
                supervisee.inactive_reason == SUPERVISOR_INACTIVE
                and own is not None
                and own.is_current(today)
                and await _supervision_holds(session, supervisee, today)
            ):
                await set_active(session, project, supervisee, now)
    await session.flush()
