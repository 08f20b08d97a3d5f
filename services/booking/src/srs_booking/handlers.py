"""The consumed contracts and their handlers; each is safe to run twice and tolerant of order.

The read models keep the time of the event that last changed each row and ignore older
ones, so a late event never undoes a newer one; a completed project stays completed.
Cascades cancel only confirmed bookings, so a redelivered event cancels nothing more.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_
from sqlalchemy.ext.asyncio import AsyncSession

from srs_booking.bookings.cancellation import SYSTEM, cancel_where
from srs_booking.bookings.eligibility import best_accreditation
from srs_booking.models import Booking, KnownAccreditation, KnownDataset, KnownMember, KnownProject
from srs_common.contracts import access, accreditation, projects
from srs_common.events.envelope import Event
from srs_common.events.handlers import Handlers

COMPLETED = "completed"
LAPSED_ACCREDITATION = {"expired", "suspended", "revoked"}
CURRENT_ACCREDITATION = "current"

HANDLERS = Handlers()


def _newer(changed_at: dt.datetime | None, at: dt.datetime) -> bool:
    return changed_at is None or at >= changed_at


# Accreditation


@HANDLERS.on(
    accreditation.AccreditationGranted,
    accreditation.AccreditationRenewed,
    accreditation.AccreditationReinstated,
    accreditation.AccreditationExpired,
    accreditation.AccreditationSuspended,
    accreditation.AccreditationRevoked,
)
async def on_accreditation_state(
    session: AsyncSession,
    event: Event,
    payload: accreditation.AccreditationGranted
    | accreditation.AccreditationRenewed
    | accreditation.AccreditationReinstated
    | accreditation.AccreditationExpired
    | accreditation.AccreditationSuspended
    | accreditation.AccreditationRevoked,
) -> None:
    """Record one accreditation; when the researcher has no current one left, cancel
    their coming bookings (the end of an old provisional leaves a current full one's)."""
    row = await session.get(KnownAccreditation, payload.accreditation_id, with_for_update=True)
    if row is None:
        row = KnownAccreditation(accreditation_id=payload.accreditation_id)
        session.add(row)
    elif not _newer(row.changed_at, payload.occurred_at):
        return
    row.researcher_id = payload.researcher_id
    row.status = payload.status
    row.valid_until = payload.valid_until
    row.changed_at = payload.occurred_at
    await session.flush()
    if payload.status in LAPSED_ACCREDITATION and not await _still_accredited(
        session, payload.researcher_id, payload.occurred_at.date()
    ):
        reason = f"accreditation {payload.status}"
        if payload.reason:
            reason += f": {payload.reason}"
        await cancel_where(
            session,
            and_(
                Booking.researcher_id == payload.researcher_id,
                Booking.ends_at > payload.occurred_at,
            ),
            reason=reason,
            by=SYSTEM,
            at=payload.occurred_at,
        )


async def _still_accredited(session: AsyncSession, researcher_id: str, on: dt.date) -> bool:
    best = await best_accreditation(session, researcher_id)
    return best is not None and best.status == CURRENT_ACCREDITATION and best.valid_until >= on


# Projects


async def _project(session: AsyncSession, project_id: str) -> KnownProject:
    row = await session.get(KnownProject, project_id, with_for_update=True)
    if row is None:
        row = KnownProject(id=project_id, status=None, dataset_ids=[], space_provisioned=False)
        session.add(row)
    return row


async def _set_project_status(
    session: AsyncSession,
    project_id: str,
    status: str,
    at: dt.datetime,
    dataset_ids: list[str] | None = None,
) -> bool:
    row = await _project(session, project_id)
    if dataset_ids is not None and _newer(row.changed_at, at):
        row.dataset_ids = list(dataset_ids)
    if row.status == COMPLETED or not _newer(row.changed_at, at):
        await session.flush()
        return False
    row.status = status
    row.changed_at = at
    await session.flush()
    return True


async def _set_member(
    session: AsyncSession, project_id: str, researcher_id: str, active: bool, at: dt.datetime
) -> bool:
    row = await session.get(KnownMember, (project_id, researcher_id), with_for_update=True)
    if row is None:
        session.add(
            KnownMember(
                project_id=project_id, researcher_id=researcher_id, active=active, changed_at=at
            )
        )
    elif _newer(row.changed_at, at):
        row.active = active
        row.changed_at = at
    else:
        return False
    await session.flush()
    return True


@HANDLERS.on(projects.ProjectApproved)
async def on_project_approved(
    session: AsyncSession, event: Event, payload: projects.ProjectApproved
) -> None:
    await _set_project_status(
        session, payload.project_id, "approved", payload.approved_at, payload.dataset_ids
    )
    for member in payload.members:
        await _set_member(
            session, payload.project_id, member.researcher_id, True, payload.approved_at
        )


@HANDLERS.on(projects.ProjectActivated)
async def on_project_activated(
    session: AsyncSession, event: Event, payload: projects.ProjectActivated
) -> None:
    await _set_project_status(
        session, payload.project_id, "active", payload.occurred_at, payload.dataset_ids
    )


@HANDLERS.on(access.ProjectSpaceProvisioned)
async def on_project_space_provisioned(
    session: AsyncSession, event: Event, payload: access.ProjectSpaceProvisioned
) -> None:
    """The space exists with its datasets mapped: the project is active for booking."""
    row = await _project(session, payload.project_id)
    row.space_provisioned = True
    await _set_project_status(
        session, payload.project_id, "active", payload.provisioned_at, payload.dataset_ids
    )


@HANDLERS.on(projects.ProjectResumed)
async def on_project_resumed(
    session: AsyncSession, event: Event, payload: projects.ProjectResumed
) -> None:
    await _set_project_status(session, payload.project_id, "active", payload.occurred_at)


@HANDLERS.on(projects.ProjectSuspended, projects.ProjectCompleted, access.ProjectSpaceArchived)
async def on_project_stopped(
    session: AsyncSession,
    event: Event,
    payload: projects.ProjectSuspended | projects.ProjectCompleted | access.ProjectSpaceArchived,
) -> None:
    """Suspended, completed or its space archived: every coming booking for the project
    is cancelled."""
    status = "suspended" if isinstance(payload, projects.ProjectSuspended) else COMPLETED
    if not await _set_project_status(session, payload.project_id, status, payload.occurred_at):
        return
    if isinstance(payload, access.ProjectSpaceArchived):
        reason = "project space archived"
    else:
        reason = f"project {status}"
    if isinstance(payload, projects.ProjectSuspended) and payload.reason:
        reason += f": {payload.reason}"
    await cancel_where(
        session,
        and_(Booking.project_id == payload.project_id, Booking.ends_at > payload.occurred_at),
        reason=reason,
        by=SYSTEM,
        at=payload.occurred_at,
    )


@HANDLERS.on(projects.ProjectMemberAdded, projects.ProjectMemberReactivated)
async def on_member_joined(
    session: AsyncSession,
    event: Event,
    payload: projects.ProjectMemberAdded | projects.ProjectMemberReactivated,
) -> None:
    await _set_member(session, payload.project_id, payload.researcher_id, True, payload.occurred_at)


@HANDLERS.on(projects.ProjectMemberRemoved, projects.ProjectMemberDeactivated)
async def on_member_left(
    session: AsyncSession,
    event: Event,
    payload: projects.ProjectMemberRemoved | projects.ProjectMemberDeactivated,
) -> None:
    """Removed or deactivated: that member's coming bookings for the project are cancelled."""
    if not await _set_member(
        session, payload.project_id, payload.researcher_id, False, payload.occurred_at
    ):
        return
    how = "removed" if isinstance(payload, projects.ProjectMemberRemoved) else "deactivated"
    reason = f"project member {how}"
    if payload.reason:
        reason += f": {payload.reason}"
    await cancel_where(
        session,
        and_(
            Booking.project_id == payload.project_id,
            Booking.researcher_id == payload.researcher_id,
            Booking.ends_at > payload.occurred_at,
        ),
        reason=reason,
        by=SYSTEM,
        at=payload.occurred_at,
    )


# Datasets


@HANDLERS.on(access.DatasetCatalogued)
async def on_dataset_catalogued(
    session: AsyncSession, event: Event, payload: access.DatasetCatalogued
) -> None:
    row = await session.get(KnownDataset, payload.dataset_id, with_for_update=True)
    if row is None:
        session.add(
            KnownDataset(
                id=payload.dataset_id,
                access_level=payload.access_level,
                changed_at=payload.occurred_at,
            )
        )
    elif _newer(row.changed_at, payload.occurred_at):
        row.access_level = payload.access_level
        row.changed_at = payload.occurred_at
    await session.flush()


CONSUMED_TOPICS = HANDLERS.topics
