"""Consumed event type -> handler; each is safe to run twice and tolerant of order.

The read models keep the time of the event that last changed each row and ignore older
ones, so a late event never undoes a newer one; a completed project stays completed.
Cascades cancel only confirmed bookings, so a redelivered event cancels nothing more.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_
from sqlalchemy.ext.asyncio import AsyncSession

from srs_booking import service
from srs_booking.models import Booking, KnownAccreditation, KnownDataset, KnownMember, KnownProject
from srs_common.contracts import access, accreditation, projects
from srs_common.events.consumer import Handler
from srs_common.events.envelope import Event

COMPLETED = "completed"
LAPSED_ACCREDITATION = {"expired", "suspended", "revoked"}
CURRENT_ACCREDITATION = "current"


def _newer(changed_at: dt.datetime | None, at: dt.datetime) -> bool:
    return changed_at is None or at >= changed_at


# Accreditation


async def on_accreditation_state(session: AsyncSession, event: Event) -> None:
    """Record one accreditation; when the researcher has no current one left, cancel
    their coming bookings (the end of an old provisional leaves a current full one's)."""
    payload = event.payload
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
        await service.cancel_where(
            session,
            and_(
                Booking.researcher_id == payload.researcher_id,
                Booking.ends_at > payload.occurred_at,
            ),
            reason=reason,
            by=service.SYSTEM,
            at=payload.occurred_at,
        )


async def _still_accredited(session: AsyncSession, researcher_id: str, on: dt.date) -> bool:
    best = await service.best_accreditation(session, researcher_id)
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


async def on_project_approved(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    await _set_project_status(
        session, payload.project_id, "approved", payload.approved_at, payload.dataset_ids
    )
    for member in payload.members:
        await _set_member(
            session, payload.project_id, member.researcher_id, True, payload.approved_at
        )


async def on_project_activated(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    await _set_project_status(
        session, payload.project_id, "active", payload.occurred_at, payload.dataset_ids
    )


async def on_project_space_provisioned(session: AsyncSession, event: Event) -> None:
    """The space exists with its datasets mapped: the project is active for booking."""
    payload = event.payload
    row = await _project(session, payload.project_id)
    row.space_provisioned = True
    await _set_project_status(
        session, payload.project_id, "active", payload.provisioned_at, payload.dataset_ids
    )


async def on_project_resumed(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    await _set_project_status(session, payload.project_id, "active", payload.occurred_at)


async def on_project_stopped(session: AsyncSession, event: Event) -> None:
    """Suspended, completed or its space archived: every coming booking for the project
    is cancelled."""
    payload = event.payload
    status = "suspended" if isinstance(payload, projects.ProjectSuspended) else COMPLETED
    if not await _set_project_status(session, payload.project_id, status, payload.occurred_at):
        return
    if isinstance(payload, access.ProjectSpaceArchived):
        reason = "project space archived"
    else:
        reason = f"project {status}"
    if getattr(payload, "reason", None):
        reason += f": {payload.reason}"
    await service.cancel_where(
        session,
        and_(Booking.project_id == payload.project_id, Booking.ends_at > payload.occurred_at),
        reason=reason,
        by=service.SYSTEM,
        at=payload.occurred_at,
    )


async def on_member_joined(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    await _set_member(session, payload.project_id, payload.researcher_id, True, payload.occurred_at)


async def on_member_left(session: AsyncSession, event: Event) -> None:
    """Removed or deactivated: that member's coming bookings for the project are cancelled."""
    payload = event.payload
    if not await _set_member(
        session, payload.project_id, payload.researcher_id, False, payload.occurred_at
    ):
        return
    how = "removed" if isinstance(payload, projects.ProjectMemberRemoved) else "deactivated"
    reason = f"project member {how}"
    if payload.reason:
        reason += f": {payload.reason}"
    await service.cancel_where(
        session,
        and_(
            Booking.project_id == payload.project_id,
            Booking.researcher_id == payload.researcher_id,
            Booking.ends_at > payload.occurred_at,
        ),
        reason=reason,
        by=service.SYSTEM,
        at=payload.occurred_at,
    )


# Datasets


async def on_dataset_catalogued(session: AsyncSession, event: Event) -> None:
    payload = event.payload
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


_ACCREDITATION_STATES: list[Any] = [
    accreditation.AccreditationGranted,
    accreditation.AccreditationRenewed,
    accreditation.AccreditationReinstated,
    accreditation.AccreditationExpired,
    accreditation.AccreditationSuspended,
    accreditation.AccreditationRevoked,
]

HANDLERS: dict[str, Handler] = {
    **{contract.type: on_accreditation_state for contract in _ACCREDITATION_STATES},
    projects.ProjectApproved.type: on_project_approved,
    projects.ProjectActivated.type: on_project_activated,
    projects.ProjectResumed.type: on_project_resumed,
    projects.ProjectSuspended.type: on_project_stopped,
    projects.ProjectCompleted.type: on_project_stopped,
    projects.ProjectMemberAdded.type: on_member_joined,
    projects.ProjectMemberReactivated.type: on_member_joined,
    projects.ProjectMemberRemoved.type: on_member_left,
    projects.ProjectMemberDeactivated.type: on_member_left,
    access.ProjectSpaceProvisioned.type: on_project_space_provisioned,
    access.ProjectSpaceArchived.type: on_project_stopped,
    access.DatasetCatalogued.type: on_dataset_catalogued,
}
CONSUMED_TOPICS: list[str] = [accreditation.TOPIC, projects.TOPIC, access.TOPIC]
