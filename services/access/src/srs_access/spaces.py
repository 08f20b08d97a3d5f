"""Project spaces and accounts, kept in step with projects and accreditations.

Read models are updated from consumed events (``handlers.py``); each row keeps the time
of the event that last changed it, and an older event never overwrites a newer one, so
redelivery and out-of-order arrival (a member added before the approval reaches us)
end in the same state.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from sqlalchemy import case, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_access.domain import accreditation_current, newer
from srs_access.models import (
    Account,
    AccreditationView,
    ProjectDataset,
    ProjectMemberView,
    ProjectSpace,
    ProjectView,
)
from srs_common.contracts import ProjectApproved, ProjectSpaceProvisioned
from srs_common.contracts.access import AccountDisabled, AccountEnabled, ProjectSpaceArchived
from srs_common.contracts.base import Contract
from srs_common.contracts.projects import DATA_ROLES
from srs_common.db import utcnow
from srs_common.errors import NotFound
from srs_common.events.envelope import Event
from srs_common.events.outbox import publish, publish_many
from srs_common.ids import new_id
from srs_common.observability import current_correlation_id

# --- read models ----------------------------------------------------------------------


async def record_project(
    session: AsyncSession,
    project_id: str,
    *,
    status: str | None,
    at: dt.datetime,
    organisation_id: str | None = None,
    dataset_ids: list[str] | None = None,
    title: str | None = None,
    flush: bool = True,
) -> ProjectView:
    """Apply a project-level event; the status only moves if the event is not older.
    With ``flush=False`` the change waits for the caller's flush (a run of events)."""
    view = await session.get(ProjectView, project_id)
    if view is None:
        view = ProjectView(
            project_id=project_id,
            status=status or "approved",
            dataset_ids=[],
            organisation_id=organisation_id,
            title=title,
            changed_at=at,
        )
        session.add(view)
        await _map_datasets(session, view, dataset_ids or [])
        if flush:
            await session.flush()
        return view
    if organisation_id and not view.organisation_id:
        view.organisation_id = organisation_id
    if title:
        view.title = title
    if dataset_ids is not None and (newer(at, view.changed_at) or not view.dataset_ids):
        await _map_datasets(session, view, dataset_ids)
    # A completed project stays completed whatever arrives late.
    if status is not None and view.status != "completed" and newer(at, view.changed_at):
        view.status = status
        view.changed_at = at
    if flush:
        await session.flush()
    return view


async def load_projects(session: AsyncSession, project_ids: list[str]) -> None:
    """Read these projects' rows in one statement (into the session, where
    :func:`record_project` then finds them without a query each)."""
    await session.execute(select(ProjectView).where(ProjectView.project_id.in_(project_ids)))


async def _map_datasets(session: AsyncSession, view: ProjectView, dataset_ids: list[str]) -> None:
    if list(dataset_ids) == view.dataset_ids:
        return
    view.dataset_ids = list(dataset_ids)
    await session.execute(
        delete(ProjectDataset)
        .where(ProjectDataset.project_id == view.project_id)
        .execution_options(synchronize_session=False)
    )
    if dataset_ids:
        await session.execute(
            insert(ProjectDataset),
            [{"project_id": view.project_id, "dataset_id": d} for d in dict.fromkeys(dataset_ids)],
        )


async def record_member(
    session: AsyncSession,
    project_id: str,
    researcher_id: str,
    *,
    role: str,
    status: str,
    at: dt.datetime,
) -> None:
    member = await session.get(ProjectMemberView, (project_id, researcher_id))
    if member is None:
        session.add(
            ProjectMemberView(
                project_id=project_id,
                researcher_id=researcher_id,
                role=role,
                status=status,
                changed_at=at,
            )
        )
    elif newer(at, member.changed_at):
        member.role, member.status, member.changed_at = role, status, at
    await session.flush()


async def record_accreditation(
    session: AsyncSession,
    *,
    researcher_id: str,
    accreditation_id: str,
    organisation_id: str,
    status: str,
    valid_until: dt.date,
    at: dt.datetime,
) -> None:
    """Apply an event about one accreditation to its own row (an older event loses)."""
    view = await session.get(AccreditationView, accreditation_id)
    if view is None:
        session.add(
            AccreditationView(
                researcher_id=researcher_id,
                accreditation_id=accreditation_id,
                organisation_id=organisation_id,
                status=status,
                valid_until=valid_until,
                changed_at=at,
            )
        )
    elif newer(at, view.changed_at):
        view.researcher_id, view.organisation_id = researcher_id, organisation_id
        view.status, view.valid_until, view.changed_at = status, valid_until, at
    await session.flush()


# A researcher may hold several accreditations at once (an old provisional and a new
# full): the best comes first, a current one before any other, then the one that lasts
# longest. Access, cascades and decisions all judge the researcher by that one.
BEST_ACCREDITATION_FIRST = (
    case((AccreditationView.status == "current", 0), else_=1),
    AccreditationView.valid_until.desc(),
    AccreditationView.changed_at.desc(),
    AccreditationView.accreditation_id,
)


async def best_accreditations(
    session: AsyncSession, researcher_ids: list[str]
) -> dict[str, AccreditationView]:
    """Each researcher's best accreditation (researchers with none are absent)."""
    rows = (
        await session.execute(
            select(AccreditationView)
            .where(AccreditationView.researcher_id.in_(researcher_ids))
            .order_by(AccreditationView.researcher_id, *BEST_ACCREDITATION_FIRST)
        )
    ).scalars()
    best: dict[str, AccreditationView] = {}
    for row in rows:
        best.setdefault(row.researcher_id, row)
    return best


# --- spaces and accounts ---------------------------------------------------------------


async def _space_of(session: AsyncSession, project_id: str) -> ProjectSpace | None:
    return (
        await session.execute(select(ProjectSpace).where(ProjectSpace.project_id == project_id))
    ).scalar_one_or_none()


def _account_blocker(
    space: ProjectSpace,
    project_status: str | None,
    member: ProjectMemberView,
    accreditation: AccreditationView | None,
    today: dt.date,
) -> str | None:
    """Why this member may not have an enabled data account now, or None."""
    if space.status != "active":
        return "project completed: space archived"
    if project_status == "suspended":
        return "project suspended"
    if member.status != "active":
        return f"member {member.status}"
    if accreditation is None:
        return "not accredited"
    if not accreditation_current(accreditation.status, accreditation.valid_until, today):
        return f"accreditation {accreditation.status}"
    return None


async def sync_accounts(
    session: AsyncSession, project_id: str, researcher_ids: list[str] | None = None
) -> list[str]:
    """Make the project's data accounts match members and accreditations; publish
    ``account.enabled`` / ``account.disabled`` for each change. Returns the researchers
    whose accounts were enabled. A no-op when nothing changed (safe to run twice)."""
    enabled = await sync_accounts_of(session, [project_id], researcher_ids)
    return enabled.get(project_id, [])


async def sync_accounts_of(
    session: AsyncSession, project_ids: list[str], researcher_ids: list[str] | None = None
) -> dict[str, list[str]]:
    """:func:`sync_accounts` for several projects at once, in a fixed number of
    statements; each project's changes are published in turn (members in id order).
    Returns, per project, the researchers whose accounts were enabled."""
    spaces = {
        space.project_id: space
        for space in (
            await session.execute(
                select(ProjectSpace).where(ProjectSpace.project_id.in_(project_ids))
            )
        ).scalars()
    }
    if not spaces:
        return {}
    query = select(ProjectMemberView).where(ProjectMemberView.project_id.in_(list(spaces)))
    if researcher_ids is not None:
        query = query.where(ProjectMemberView.researcher_id.in_(researcher_ids))
    members: dict[str, list[ProjectMemberView]] = {}
    for member in (await session.execute(query)).scalars():
        members.setdefault(member.project_id, []).append(member)
    if not members:
        return {}
    ids = sorted({m.researcher_id for ms in members.values() for m in ms})
    statuses = {
        project_id: status
        for project_id, status in await session.execute(
            select(ProjectView.project_id, ProjectView.status).where(
                ProjectView.project_id.in_(list(members))
            )
        )
    }
    accreditations = await best_accreditations(session, ids)
    accounts = {
        (a.project_id, a.researcher_id): a
        for a in (
            await session.execute(
                select(Account).where(
                    Account.project_id.in_(list(members)), Account.researcher_id.in_(ids)
                )
            )
        ).scalars()
    }
    now = utcnow()
    enabled: dict[str, list[str]] = {}
    events: list[tuple[Contract, str, str | None]] = []
    correlation = current_correlation_id()
    for project_id in dict.fromkeys(project_ids):
        if project_id not in members:
            continue
        space, project_status = spaces[project_id], statuses.get(project_id)
        for member in sorted(members[project_id], key=lambda m: m.researcher_id):
            if member.role not in DATA_ROLES:
                continue  # outputs-only peer reviewers never get a data account
            blocker = _account_blocker(
                space, project_status, member, accreditations.get(member.researcher_id), now.date()
            )
            account = accounts.get((project_id, member.researcher_id))
            if account is None:
                if blocker is not None:
                    continue
                account = Account(
                    project_id=project_id,
                    researcher_id=member.researcher_id,
                    role=member.role,
                    enabled=False,
                )
                session.add(account)
            account.role = member.role
            if blocker is None and not account.enabled:
                account.enabled, account.disabled_reason = True, None
                enabled.setdefault(project_id, []).append(member.researcher_id)
                change: Contract = AccountEnabled(
                    project_id=project_id,
                    researcher_id=member.researcher_id,
                    role=member.role,
                    occurred_at=now,
                )
            elif blocker is not None and account.enabled:
                account.enabled, account.disabled_reason = False, blocker
                change = AccountDisabled(
                    project_id=project_id,
                    researcher_id=member.researcher_id,
                    reason=blocker,
                    occurred_at=now,
                )
            else:
                continue
            events.append((change, project_id, correlation))
    await session.flush()
    await publish_many(session, events)
    return enabled


async def sync_researcher_everywhere(session: AsyncSession, researcher_id: str) -> None:
    """An accreditation change reaches every project of the researcher at once."""
    project_ids = (
        (
            await session.execute(
                select(ProjectMemberView.project_id)
                .where(ProjectMemberView.researcher_id == researcher_id)
                .order_by(ProjectMemberView.project_id)
            )
        )
        .scalars()
        .all()
    )
    for project_id in project_ids:
        await sync_accounts(session, project_id, [researcher_id])


async def provision_project_space(session: AsyncSession, approved: ProjectApproved) -> None:
    """Create the project's space, map its datasets, enable accounts for the members who
    may use data (accredited, active; outputs-only peer reviewers get none).

    Idempotent: the unique project id makes a redelivered approval a no-op, so
    ``project_space.provisioned`` is published once per project.
    """
    project = await record_project(
        session,
        approved.project_id,
        status="approved",
        at=approved.approved_at,
        organisation_id=approved.organisation_id,
        dataset_ids=list(approved.dataset_ids),
        title=approved.title,
    )
    for member in approved.members:
        await record_member(
            session,
            approved.project_id,
            member.researcher_id,
            role=member.role,
            status="active",
            at=approved.approved_at,
        )
    if await _space_of(session, approved.project_id) is not None:
        return
    if project.status == "completed":
        return  # completed before the approval reached us: nothing to provision
    space = ProjectSpace(
        id=new_id("spc"),
        project_id=approved.project_id,
        status="active",
        dataset_ids=list(approved.dataset_ids),
        created_at=utcnow(),
    )
    session.add(space)
    await session.flush()
    enabled = await sync_accounts(session, approved.project_id)
    await publish(
        session,
        ProjectSpaceProvisioned(
            project_id=approved.project_id,
            space_id=space.id,
            dataset_ids=space.dataset_ids,
            accounts_enabled=enabled,
            provisioned_at=space.created_at,
        ),
        subject=approved.project_id,
    )


async def provision_project_spaces(
    session: AsyncSession, approvals: Sequence[tuple[Event, ProjectApproved]]
) -> None:
    """:func:`provision_project_space` for a run of approvals, in a fixed number of
    statements whatever its length: a burst of approvals (a panel meeting's worth) costs
    one read of what exists and one insert per table. An approval of a project this
    service has heard of before (a member event came first, a redelivery, or the same
    project twice in the run) takes the one-approval path, which knows those cases."""
    ids = [approved.project_id for _, approved in approvals]
    known = set(
        (
            await session.execute(
                select(ProjectView.project_id).where(ProjectView.project_id.in_(ids))
            )
        )
        .scalars()
        .all()
    )
    known |= set(
        (
            await session.execute(
                select(ProjectMemberView.project_id)
                .where(ProjectMemberView.project_id.in_(ids))
                .distinct()
            )
        )
        .scalars()
        .all()
    )
    known |= set(
        (
            await session.execute(
                select(ProjectSpace.project_id).where(ProjectSpace.project_id.in_(ids))
            )
        )
        .scalars()
        .all()
    )
    counts = Counter(ids)
    fresh = [
        (event, approved)
        for event, approved in approvals
        if approved.project_id not in known and counts[approved.project_id] == 1
    ]
    if fresh:
        await _provision_new(session, fresh)
    for _, approved in approvals:
        if approved.project_id in known or counts[approved.project_id] > 1:
            await provision_project_space(session, approved)


async def _provision_new(
    session: AsyncSession, approvals: list[tuple[Event, ProjectApproved]]
) -> None:
    """Provision projects this service has never heard of: what
    :func:`provision_project_space` does for such a project (read model, members, space,
    accounts for the accredited members who may use data, events), set-based."""
    now = utcnow()
    views, datasets, members, spaces, accounts = [], [], [], [], []
    events: list[tuple[Contract, str, str | None]] = []
    researcher_ids = {m.researcher_id for _, a in approvals for m in a.members}
    best = await best_accreditations(session, sorted(researcher_ids))
    for event, approved in approvals:
        project_id, dataset_ids = approved.project_id, list(approved.dataset_ids)
        views.append(
            {
                "project_id": project_id,
                "organisation_id": approved.organisation_id,
                "title": approved.title,
                "status": "approved",
                "dataset_ids": dataset_ids,
                "changed_at": approved.approved_at,
            }
        )
        datasets += [
            {"project_id": project_id, "dataset_id": d} for d in dict.fromkeys(dataset_ids)
        ]
        roles: dict[str, str] = {}
        for member in approved.members:
            roles[member.researcher_id] = member.role  # named twice: the last role counts
        members += [
            {
                "project_id": project_id,
                "researcher_id": researcher_id,
                "role": role,
                "status": "active",
                "changed_at": approved.approved_at,
            }
            for researcher_id, role in roles.items()
        ]
        space_id = new_id("spc")
        spaces.append(
            {
                "id": space_id,
                "project_id": project_id,
                "status": "active",
                "dataset_ids": dataset_ids,
                "created_at": now,
            }
        )
        enabled = []
        for researcher_id, role in sorted(roles.items()):
            accreditation = best.get(researcher_id)
            if role not in DATA_ROLES or accreditation is None:
                continue
            if not accreditation_current(
                accreditation.status, accreditation.valid_until, now.date()
            ):
                continue
            accounts.append(
                {
                    "project_id": project_id,
                    "researcher_id": researcher_id,
                    "role": role,
                    "enabled": True,
                }
            )
            enabled.append(researcher_id)
            events.append(
                (
                    AccountEnabled(
                        project_id=project_id,
                        researcher_id=researcher_id,
                        role=role,
                        occurred_at=now,
                    ),
                    project_id,
                    event.correlation_id,
                )
            )
        events.append(
            (
                ProjectSpaceProvisioned(
                    project_id=project_id,
                    space_id=space_id,
                    dataset_ids=dataset_ids,
                    accounts_enabled=enabled,
                    provisioned_at=now,
                ),
                project_id,
                event.correlation_id,
            )
        )
    for model, rows in (
        (ProjectView, views),
        (ProjectDataset, datasets),
        (ProjectMemberView, members),
        (ProjectSpace, spaces),
        (Account, accounts),
    ):
        if rows:  # Core executemany: no unit of work, one round trip per table
            await session.execute(insert(model), rows)
    await publish_many(session, events)


async def complete_project(
    session: AsyncSession, project_id: str, at: dt.datetime, organisation_id: str
) -> None:
    """Archive the space and disable every account (published once)."""
    await record_project(
        session, project_id, status="completed", at=at, organisation_id=organisation_id
    )
    view = await session.get(ProjectView, project_id)
    assert view is not None
    view.status = "completed"
    space = await _space_of(session, project_id)
    if space is None or space.status == "archived":
        return
    space.status, space.archived_at = "archived", utcnow()
    await sync_accounts(session, project_id)
    await publish(
        session,
        ProjectSpaceArchived(
            project_id=project_id, space_id=space.id, occurred_at=space.archived_at
        ),
        subject=project_id,
    )


async def get_project_space(session: AsyncSession, project_id: str) -> ProjectSpace:
    space = await _space_of(session, project_id)
    if space is None:
        raise NotFound(f"no project space for project {project_id}")
    return space


async def accounts_of(session: AsyncSession, project_id: str) -> list[Account]:
    return list(
        (
            await session.execute(
                select(Account)
                .where(Account.project_id == project_id)
                .order_by(Account.researcher_id)
            )
        ).scalars()
    )


async def is_active_member(session: AsyncSession, project_id: str, researcher_id: str) -> bool:
    member = await session.get(ProjectMemberView, (project_id, researcher_id))
    return member is not None and member.status == "active"
