"""Consumed event type -> handler; each is safe to run twice and tolerates
out-of-order arrival (read-model rows keep the time of their latest event)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from srs_access import spaces
from srs_access.domain import newer
from srs_access.models import BookingView, ResearcherView
from srs_common.contracts import accreditation as acc
from srs_common.contracts import booking as bkg
from srs_common.contracts import projects as prj
from srs_common.events.envelope import Event

Handler = Callable[[AsyncSession, Event], Awaitable[None]]


async def on_project_approved(session: AsyncSession, event: Event) -> None:
    assert isinstance(event.payload, prj.ProjectApproved)
    await spaces.provision_project_space(session, event.payload)


def _project_status(status: str) -> Handler:
    """A project-level event: the read model follows it, and the data accounts follow the
    project (a suspended project's accounts are disabled, a resumed one's enabled again)."""

    async def handle(session: AsyncSession, event: Event) -> None:
        p = event.payload
        await spaces.record_project(
            session,
            p.project_id,
            status=status,
            at=p.occurred_at,
            organisation_id=p.organisation_id,
            dataset_ids=getattr(p, "dataset_ids", None),
        )
        await spaces.sync_accounts(session, p.project_id)

    return handle


async def on_project_completed(session: AsyncSession, event: Event) -> None:
    p = event.payload
    assert isinstance(p, prj.ProjectCompleted)
    await spaces.complete_project(session, p.project_id, p.occurred_at, p.organisation_id)


def _member_status(status: str) -> Handler:
    async def handle(session: AsyncSession, event: Event) -> None:
        p = event.payload
        await spaces.record_member(
            session, p.project_id, p.researcher_id, role=p.role, status=status, at=p.occurred_at
        )
        await spaces.sync_accounts(session, p.project_id, [p.researcher_id])

    return handle


async def on_accreditation_changed(session: AsyncSession, event: Event) -> None:
    p = event.payload
    await spaces.record_accreditation(
        session,
        researcher_id=p.researcher_id,
        accreditation_id=p.accreditation_id,
        organisation_id=p.organisation_id,
        status=p.status,
        valid_until=p.valid_until,
        at=p.occurred_at,
    )
    await spaces.sync_researcher_everywhere(session, p.researcher_id)


async def on_researcher_profile(session: AsyncSession, event: Event) -> None:
    """The researcher's organisation, as their record says (access decisions use it)."""
    p = event.payload
    view = await session.get(ResearcherView, p.researcher_id)
    if view is None:
        session.add(
            ResearcherView(
                researcher_id=p.researcher_id,
                organisation_id=p.organisation_id,
                changed_at=p.occurred_at,
            )
        )
    elif newer(p.occurred_at, view.changed_at):
        view.organisation_id, view.changed_at = p.organisation_id, p.occurred_at
    await session.flush()


def _booking_status(status: str) -> Handler:
    async def handle(session: AsyncSession, event: Event) -> None:
        p = event.payload
        booking = await session.get(BookingView, p.booking_id)
        if booking is None:
            session.add(
                BookingView(
                    booking_id=p.booking_id,
                    researcher_id=p.researcher_id,
                    project_id=p.project_id,
                    site_id=p.site_id,
                    starts_at=p.starts_at,
                    ends_at=p.ends_at,
                    status=status,
                    changed_at=p.occurred_at,
                )
            )
        elif newer(p.occurred_at, booking.changed_at) and booking.status != "cancelled":
            booking.starts_at, booking.ends_at, booking.site_id = p.starts_at, p.ends_at, p.site_id
            booking.status, booking.changed_at = status, p.occurred_at
        await session.flush()

    return handle


HANDLERS: dict[str, Handler] = {
    prj.ProjectApproved.type: on_project_approved,
    prj.ProjectActivated.type: _project_status("active"),
    prj.ProjectSuspended.type: _project_status("suspended"),
    prj.ProjectResumed.type: _project_status("active"),
    prj.ProjectCompleted.type: on_project_completed,
    prj.ProjectMemberAdded.type: _member_status("active"),
    prj.ProjectMemberReactivated.type: _member_status("active"),
    prj.ProjectMemberRemoved.type: _member_status("removed"),
    prj.ProjectMemberDeactivated.type: _member_status("inactive"),
    **{
        contract.type: on_accreditation_changed
        for contract in (
            acc.AccreditationGranted,
            acc.AccreditationRenewed,
            acc.AccreditationExpired,
            acc.AccreditationSuspended,
            acc.AccreditationReinstated,
            acc.AccreditationRevoked,
        )
    },
    acc.ResearcherRegistered.type: on_researcher_profile,
    acc.ResearcherUpdated.type: on_researcher_profile,
    bkg.BookingConfirmed.type: _booking_status("confirmed"),
    bkg.BookingAttended.type: _booking_status("attended"),
    bkg.BookingCancelled.type: _booking_status("cancelled"),
}
CONSUMED_TOPICS = ["srs.projects", "srs.accreditation", "srs.booking"]
