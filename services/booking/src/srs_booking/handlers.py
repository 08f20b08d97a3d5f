"""The consumed contracts and their handlers; each is safe to run twice and tolerant of order.

The read models keep the time of the event that last changed each row and ignore older
ones, so a late event never undoes a newer one; a completed project stays completed.
Cascades cancel only confirmed bookings, so a redelivered event cancels nothing more.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, select
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
# projects' reason for deactivating a member whose own accreditation lapsed:
# accreditation_expired, accreditation_suspended, accreditation_revoked
OWN_ACCREDITATION_LAPSED = "accreditation_"

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


async def _lapse_still_to_come(session: AsyncSession, researcher_id: str, at: dt.datetime) -> bool:
    """For an echo from projects of a researcher's lapsed accreditation (their deactivation
    as a member, a project suspended for its revoked lead): whether the accreditation event
    itself has yet to reach this service (the two come on different topics, in either
    order). While it has, the echo leaves that researcher's bookings to it, so that they are
    cancelled once, in the accreditation's words."""
    return await _still_accredited(session, researcher_id, at.date())


# Projects


class _Rows:
    """The project rows (and, when asked, member rows) a run of events touches, read and
    locked in one statement each, so a burst of project events costs a few statements,
    not a few per event."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.projects: dict[str, KnownProject] = {}
        self.members: dict[tuple[str, str], KnownMember] = {}

    @classmethod
    async def read(
        cls, session: AsyncSession, project_ids: list[str], *, members: bool = False
    ) -> _Rows:
        rows = cls(session)
        ids = sorted(set(project_ids))  # locked in one order
        found = await session.execute(
            select(KnownProject)
            .where(KnownProject.id.in_(ids))
            .order_by(KnownProject.id)
            .with_for_update()
        )
        rows.projects = {row.id: row for row in found.scalars()}
        if members:
            found_members = await session.execute(
                select(KnownMember)
                .where(KnownMember.project_id.in_(ids))
                .order_by(KnownMember.project_id, KnownMember.researcher_id)
                .with_for_update()
            )
            rows.members = {(m.project_id, m.researcher_id): m for m in found_members.scalars()}
        return rows

    def project(self, project_id: str) -> KnownProject:
        row = self.projects.get(project_id)
        if row is None:
            row = KnownProject(id=project_id, status=None, dataset_ids=[], space_provisioned=False)
            self.session.add(row)
            self.projects[project_id] = row
        return row

    def status(
        self, project_id: str, status: str, at: dt.datetime, dataset_ids: list[str] | None = None
    ) -> bool:
        """Move the project to ``status`` unless the event is older or it is completed."""
        row = self.project(project_id)
        if dataset_ids is not None and _newer(row.changed_at, at):
            row.dataset_ids = list(dataset_ids)
        if row.status == COMPLETED or not _newer(row.changed_at, at):
            return False
        row.status = status
        row.changed_at = at
        return True

    def member(self, project_id: str, researcher_id: str, active: bool, at: dt.datetime) -> bool:
        row = self.members.get((project_id, researcher_id))
        if row is None:
            row = KnownMember(
                project_id=project_id, researcher_id=researcher_id, active=active, changed_at=at
            )
            self.session.add(row)
            self.members[(project_id, researcher_id)] = row
        elif _newer(row.changed_at, at):
            row.active = active
            row.changed_at = at
        else:
            return False
        return True


async def _set_project_status(
    session: AsyncSession,
    project_id: str,
    status: str,
    at: dt.datetime,
    dataset_ids: list[str] | None = None,
) -> bool:
    changed = (await _Rows.read(session, [project_id])).status(project_id, status, at, dataset_ids)
    await session.flush()
    return changed


async def _set_member(
    session: AsyncSession, project_id: str, researcher_id: str, active: bool, at: dt.datetime
) -> bool:
    row = await session.get(KnownMember, (project_id, researcher_id), with_for_update=True)
    rows = _Rows(session)
    if row is not None:
        rows.members[(project_id, researcher_id)] = row
    changed = rows.member(project_id, researcher_id, active, at)
    if changed:
        await session.flush()
    return changed


def _approved(rows: _Rows, payload: projects.ProjectApproved) -> None:
    rows.status(payload.project_id, "approved", payload.approved_at, payload.dataset_ids)
    for member in payload.members:
        rows.member(payload.project_id, member.researcher_id, True, payload.approved_at)


def _activated(rows: _Rows, payload: projects.ProjectActivated) -> None:
    rows.status(payload.project_id, "active", payload.occurred_at, payload.dataset_ids)


def _provisioned(rows: _Rows, payload: access.ProjectSpaceProvisioned) -> None:
    """The space exists with its datasets mapped: the project is active for booking."""
    rows.project(payload.project_id).space_provisioned = True
    rows.status(payload.project_id, "active", payload.provisioned_at, payload.dataset_ids)


async def _projects(session: AsyncSession, payloads: list[Any]) -> _Rows:
    return await _Rows.read(session, [p.project_id for p in payloads])


async def _projects_and_members(session: AsyncSession, payloads: list[Any]) -> _Rows:
    return await _Rows.read(session, [p.project_id for p in payloads], members=True)


HANDLERS.on_rows(projects.ProjectApproved, _projects_and_members, _approved)
HANDLERS.on_rows(projects.ProjectActivated, _projects, _activated)
HANDLERS.on_rows(access.ProjectSpaceProvisioned, _projects, _provisioned)


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
    is cancelled.

    A project suspended because its lead's accreditation was revoked is an echo of that
    revocation (:func:`_lapse_still_to_come`): the lead's booking says the accreditation
    was revoked, the others' that the project was suspended."""
    status = "suspended" if isinstance(payload, projects.ProjectSuspended) else COMPLETED
    if not await _set_project_status(session, payload.project_id, status, payload.occurred_at):
        return
    if isinstance(payload, access.ProjectSpaceArchived):
        reason = "project space archived"
    else:
        reason = f"project {status}"
    coming = and_(Booking.project_id == payload.project_id, Booking.ends_at > payload.occurred_at)
    if isinstance(payload, projects.ProjectSuspended):
        if payload.reason:
            reason += f": {payload.reason}"
        lead = payload.lead_researcher_id
        if (
            payload.cause == "lead_revoked"
            and lead is not None
            and await _lapse_still_to_come(session, lead, payload.occurred_at)
        ):
            coming = and_(coming, Booking.researcher_id != lead)
    await cancel_where(
        session,
        coming,
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
    """Removed or deactivated: that member's coming bookings for the project are cancelled.

    A member deactivated for their own lapsed accreditation is an echo of that lapse
    (:func:`_lapse_still_to_come`): it may only mark the member inactive, and the
    accreditation event cancels their bookings on every project with its own reason."""
    if not await _set_member(
        session, payload.project_id, payload.researcher_id, False, payload.occurred_at
    ):
        return
    if (
        isinstance(payload, projects.ProjectMemberDeactivated)
        and (payload.reason or "").startswith(OWN_ACCREDITATION_LAPSED)
        and await _lapse_still_to_come(session, payload.researcher_id, payload.occurred_at)
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
