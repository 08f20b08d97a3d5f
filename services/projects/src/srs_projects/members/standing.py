"""A member's standing follows their accreditation: inactive on every project when it
lapses (with the provisional researchers they supervise), active again when it is current."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.contracts.projects import ProjectMemberDeactivated, ProjectMemberReactivated
from srs_common.events.outbox import publish
from srs_projects import domain
from srs_projects.members.researchers import (
    AccreditationState,
    accreditation_of,
    record_organisation,
)
from srs_projects.models import Project, ProjectMember, ResearcherAccreditation


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
        if member.role == domain.Role.PEER_REVIEWER_DATA.value and not accreditation.is_full(today):
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
