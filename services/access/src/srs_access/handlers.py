"""The consumed contracts and their handlers; each is safe to run twice and tolerates
out-of-order arrival (read-model rows keep the time of their latest event)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from srs_access import linkage, spaces
from srs_access.domain import newer
from srs_access.models import BookingView, ResearcherView
from srs_common.contracts import accreditation as acc
from srs_common.contracts import booking as bkg
from srs_common.contracts import linkage as lnk
from srs_common.contracts import projects as prj
from srs_common.events.envelope import Event
from srs_common.events.handlers import Handlers, TypedHandler

HANDLERS = Handlers()

ProjectStatusEvent = prj.ProjectActivated | prj.ProjectSuspended | prj.ProjectResumed
MemberStatusEvent = (
    prj.ProjectMemberAdded
    | prj.ProjectMemberReactivated
    | prj.ProjectMemberRemoved
    | prj.ProjectMemberDeactivated
)
AccreditationEvent = (
    acc.AccreditationGranted
    | acc.AccreditationRenewed
    | acc.AccreditationExpired
    | acc.AccreditationSuspended
    | acc.AccreditationReinstated
    | acc.AccreditationRevoked
)
BookingEvent = bkg.BookingConfirmed | bkg.BookingAttended | bkg.BookingCancelled


@HANDLERS.on(prj.ProjectApproved)
async def on_project_approved(
    session: AsyncSession, event: Event, payload: prj.ProjectApproved
) -> None:
    await spaces.provision_project_space(session, payload)


@HANDLERS.on_many(prj.ProjectApproved)
async def on_projects_approved(
    session: AsyncSession, approvals: Sequence[tuple[Event, prj.ProjectApproved]]
) -> None:
    """A run of approvals, provisioned together (the panel approves in bursts)."""
    await spaces.provision_project_spaces(session, approvals)


@HANDLERS.on(lnk.LinkageTaskCompleted)
async def on_linkage_task_completed(
    session: AsyncSession, event: Event, payload: lnk.LinkageTaskCompleted
) -> None:
    """The SRS team's de-identified IDBR extract is mapped into the project space."""
    await linkage.map_extract(session, payload)


@HANDLERS.on(lnk.LinkedDatasetDecided)
async def on_linked_dataset_decided(
    session: AsyncSession, event: Event, payload: lnk.LinkedDatasetDecided
) -> None:
    """An agreed linked dataset joins the catalogue for every project to ask for."""
    await linkage.catalogue_linked_dataset(session, payload)


def _project_status(status: str) -> TypedHandler[ProjectStatusEvent]:
    """A project-level event: the read model follows it, and the data accounts follow the
    project (a suspended project's accounts are disabled, a resumed one's enabled again);
    the run of one of :func:`_projects_status`."""
    handle_many = _projects_status(status)

    async def handle(session: AsyncSession, event: Event, p: ProjectStatusEvent) -> None:
        await handle_many(session, [(event, p)])

    return handle


def _projects_status(
    status: str,
) -> Callable[[AsyncSession, Sequence[tuple[Event, ProjectStatusEvent]]], Awaitable[None]]:
    """Project-level events of one status, a run at once: the read model rows change
    together, then every project's accounts are synced at once."""

    async def handle_many(
        session: AsyncSession, events: Sequence[tuple[Event, ProjectStatusEvent]]
    ) -> None:
        ids = list(dict.fromkeys(p.project_id for _, p in events))
        await spaces.load_projects(session, ids)  # one read; record_project then finds them
        for _, p in events:
            await spaces.record_project(
                session,
                p.project_id,
                status=status,
                at=p.occurred_at,
                organisation_id=p.organisation_id,
                dataset_ids=getattr(p, "dataset_ids", None),
                flush=False,
            )
        await session.flush()
        await spaces.sync_accounts_of(session, ids)

    return handle_many


@HANDLERS.on(prj.ProjectCompleted)
async def on_project_completed(
    session: AsyncSession, event: Event, p: prj.ProjectCompleted
) -> None:
    await spaces.complete_project(session, p.project_id, p.occurred_at, p.organisation_id)


def _member_status(status: str) -> TypedHandler[MemberStatusEvent]:
    async def handle(session: AsyncSession, event: Event, p: MemberStatusEvent) -> None:
        await spaces.record_member(
            session, p.project_id, p.researcher_id, role=p.role, status=status, at=p.occurred_at
        )
        await spaces.sync_accounts(session, p.project_id, [p.researcher_id])

    return handle


@HANDLERS.on(
    acc.AccreditationGranted,
    acc.AccreditationRenewed,
    acc.AccreditationExpired,
    acc.AccreditationSuspended,
    acc.AccreditationReinstated,
    acc.AccreditationRevoked,
)
async def on_accreditation_changed(
    session: AsyncSession, event: Event, p: AccreditationEvent
) -> None:
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


@HANDLERS.on(acc.ResearcherRegistered, acc.ResearcherUpdated)
async def on_researcher_profile(
    session: AsyncSession, event: Event, p: acc.ResearcherRegistered | acc.ResearcherUpdated
) -> None:
    """The researcher's organisation, as their record says (access decisions use it), and
    their name (pages name the researchers of a home-working request)."""
    view = await session.get(ResearcherView, p.researcher_id)
    if view is None:
        session.add(
            ResearcherView(
                researcher_id=p.researcher_id,
                organisation_id=p.organisation_id,
                name=p.name,
                changed_at=p.occurred_at,
            )
        )
    elif newer(p.occurred_at, view.changed_at):
        view.organisation_id, view.changed_at = p.organisation_id, p.occurred_at
        view.name = p.name
    await session.flush()


def _booking_status(status: str) -> TypedHandler[BookingEvent]:
    async def handle(session: AsyncSession, event: Event, p: BookingEvent) -> None:
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


HANDLERS.on(prj.ProjectActivated, prj.ProjectResumed)(_project_status("active"))
HANDLERS.on(prj.ProjectSuspended)(_project_status("suspended"))
HANDLERS.on_many(prj.ProjectActivated)(_projects_status("active"))
HANDLERS.on_many(prj.ProjectResumed)(_projects_status("active"))
HANDLERS.on_many(prj.ProjectSuspended)(_projects_status("suspended"))
HANDLERS.on(prj.ProjectMemberAdded, prj.ProjectMemberReactivated)(_member_status("active"))
HANDLERS.on(prj.ProjectMemberRemoved)(_member_status("removed"))
HANDLERS.on(prj.ProjectMemberDeactivated)(_member_status("inactive"))
HANDLERS.on(bkg.BookingConfirmed)(_booking_status("confirmed"))
HANDLERS.on(bkg.BookingAttended)(_booking_status("attended"))
HANDLERS.on(bkg.BookingCancelled)(_booking_status("cancelled"))
CONSUMED_TOPICS = HANDLERS.topics
