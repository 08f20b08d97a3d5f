"""The read models: who people are, what projects are called and who is on them, datasets'
owners, and confirmed bookings (for reminders). Nothing here commits."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.contracts import access, accounts, accreditation, booking, projects
from srs_common.contracts.base import Contract
from srs_notify import domain
from srs_notify.models import Booking, Dataset, Notification, Project, ProjectMember, Researcher


async def record_researcher(
    session: AsyncSession,
    p: accreditation.ResearcherRegistered
    | accreditation.ResearcherUpdated
    | accounts.EmailVerificationRequested,
) -> None:
    """Remember a researcher's name, address and organisation; an older profile event
    (redelivered late) never overwrites a newer one."""
    researcher = await session.get(Researcher, p.researcher_id)
    if researcher is None:
        session.add(
            Researcher(
                id=p.researcher_id,
                name=p.name,
                email=p.email,
                organisation_id=p.organisation_id,
                profile_at=p.occurred_at,
            )
        )
    elif p.occurred_at >= researcher.profile_at:
        researcher.name, researcher.email = p.name, p.email
        researcher.organisation_id, researcher.profile_at = p.organisation_id, p.occurred_at


async def record_project(
    session: AsyncSession, project_id: str, *, title: str | None, lead_researcher_id: str | None
) -> None:
    """Remember a project's public title and lead, to name it in e-mails."""
    project = await session.get(Project, project_id)
    if project is None:
        session.add(Project(id=project_id, title=title, lead_researcher_id=lead_researcher_id))
        return
    project.title = title or project.title
    project.lead_researcher_id = lead_researcher_id or project.lead_researcher_id


async def record_member(
    session: AsyncSession, project_id: str, researcher_id: str, role: str
) -> None:
    """Remember who is on a project in what role (a later event's role wins)."""
    member = await session.get(ProjectMember, (project_id, researcher_id))
    if member is None:
        session.add(ProjectMember(project_id=project_id, researcher_id=researcher_id, role=role))
    else:
        member.role = role
    await session.flush()


async def record_members(
    session: AsyncSession, project_id: str, members: list[tuple[str, str]]
) -> None:
    """:func:`record_member` for each ``(researcher id, role)`` in turn, with one read of
    the project's members and one flush."""
    known = {
        m.researcher_id: m
        for m in await session.scalars(
            select(ProjectMember).where(ProjectMember.project_id == project_id)
        )
    }
    for researcher_id, role in members:
        member = known.get(researcher_id)
        if member is None:
            member = ProjectMember(project_id=project_id, researcher_id=researcher_id, role=role)
            session.add(member)
            known[researcher_id] = member
        else:
            member.role = role
    await session.flush()


async def forget_member(session: AsyncSession, project_id: str, researcher_id: str) -> None:
    member = await session.get(ProjectMember, (project_id, researcher_id))
    if member is not None:
        await session.delete(member)
        await session.flush()


async def record_lead_changed(session: AsyncSession, p: projects.ProjectLeadChanged) -> None:
    """The new lead leads from now on; the previous one stays a member (as a researcher)
    until the projects service says they left."""
    await record_project(session, p.project_id, title=None, lead_researcher_id=p.lead_researcher_id)
    previous = await session.get(ProjectMember, (p.project_id, p.previous_lead_researcher_id))
    if previous is not None and previous.role == "lead":
        previous.role = "researcher"
    await record_member(session, p.project_id, p.lead_researcher_id, "lead")


async def record_dataset(session: AsyncSession, p: access.DatasetCatalogued) -> None:
    """Remember a dataset's owner, whose mailbox decides home working on its data."""
    dataset = await session.get(Dataset, p.dataset_id)
    if dataset is None:
        session.add(Dataset(id=p.dataset_id, title=p.title, owner=p.owner))
    else:
        dataset.title, dataset.owner = p.title, p.owner


def _booking(
    p: booking.BookingConfirmed | booking.BookingCancelled, status: str, event_id: str
) -> Booking:
    return Booking(
        id=p.booking_id,
        researcher_id=p.researcher_id,
        project_id=p.project_id,
        site_id=p.site_id,
        place=p.place,
        starts_at=p.starts_at,
        ends_at=p.ends_at,
        status=status,
        confirmed_event_id=event_id,
    )


async def record_booking_confirmed(
    session: AsyncSession, p: booking.BookingConfirmed, event_id: str
) -> None:
    """Remember a confirmed booking for its day-before reminder (a cancelled one stays
    cancelled even if its confirmation is seen again)."""
    existing = await session.get(Booking, p.booking_id)
    if existing is None:
        session.add(_booking(p, "confirmed", event_id))


async def record_booking_cancelled(
    session: AsyncSession, p: booking.BookingCancelled, event_id: str
) -> None:
    """Mark a booking cancelled and withdraw its reminder if that has not gone yet."""
    existing = await session.get(Booking, p.booking_id)
    if existing is None:
        session.add(_booking(p, "cancelled", event_id))
    else:
        existing.status = "cancelled"
    await session.execute(
        update(Notification)
        .where(Notification.notice == domain.BOOKING_REMINDER)
        .where(Notification.about == p.booking_id)
        .where(Notification.status == domain.PENDING)
        .values(
            status=domain.WITHDRAWN,
            next_attempt_at=None,
            last_error="the booking was cancelled before the reminder went out",
        )
    )


async def update_read_models(session: AsyncSession, payload: Contract, event_id: str) -> None:
    match payload:
        case accreditation.ResearcherRegistered() | accreditation.ResearcherUpdated():
            await record_researcher(session, payload)
        case projects.ProjectSubmitted():
            await record_project(
                session,
                payload.project_id,
                title=payload.title,
                lead_researcher_id=payload.lead_researcher_id,
            )
            await record_member(session, payload.project_id, payload.lead_researcher_id, "lead")
        case projects.ProjectApproved():
            await record_project(
                session,
                payload.project_id,
                title=payload.title,
                lead_researcher_id=domain.lead_of(payload),
            )
            await record_members(
                session, payload.project_id, [(m.researcher_id, m.role) for m in payload.members]
            )
        case projects.ProjectMemberAdded():
            await record_member(session, payload.project_id, payload.researcher_id, payload.role)
        case projects.ProjectMemberRemoved():
            await forget_member(session, payload.project_id, payload.researcher_id)
        case projects.ProjectLeadChanged():
            await record_lead_changed(session, payload)
        case access.DatasetCatalogued():
            await record_dataset(session, payload)
        case accounts.EmailVerificationRequested():
            # A new account's name and address, until its researcher profile says more.
            await record_researcher(session, payload)
        case booking.BookingConfirmed():
            await record_booking_confirmed(session, payload, event_id)
        case booking.BookingCancelled():
            await record_booking_cancelled(session, payload, event_id)
