"""The SRS team's IDBR matching task: opened when the panel approves a project whose
application asks for IDBR linkage, worked by support (pending -> in progress ->
completed | failed). Each step is in the project's audit trail; completion publishes
the de-identified extract for access to map into the project space."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, Select, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.auth import Principal
from srs_common.contracts.linkage import LinkageTaskCompleted, LinkageTaskFailed
from srs_common.errors import NotFound
from srs_common.events.outbox import publish
from srs_common.ids import new_id
from srs_common.pagination import Page, keyset_page
from srs_projects.decisions import record_decision
from srs_projects.linkage import rules
from srs_projects.linkage.rules import LinkageAction, LinkageState
from srs_projects.linkage.schemas import LinkageTaskRead, TaskOutcome
from srs_projects.models import LinkageTask, Project, ProjectMember


async def open_task(session: AsyncSession, project: Project, at: dt.datetime) -> None:
    """On approval: a pending task for the SRS team when the application asks for IDBR
    matching (once per project)."""
    idbr = (project.linkage or {}).get("idbr")
    if not idbr:
        return
    existing = await session.execute(
        select(LinkageTask.id).where(LinkageTask.project_id == project.id)
    )
    if existing.first() is not None:
        return
    task = LinkageTask(
        id=new_id("lnk"),
        project_id=project.id,
        method=idbr["method"],
        crn_count=len(idbr.get("crns") or []),
        status=LinkageState.PENDING,
        created_at=at,
    )
    session.add(task)
    await record_decision(
        session, project.id, "linkage_task_opened", actor="projects", reason=None, at=at,
        task_id=task.id, method=task.method,
    )  # fmt: skip


def task_visible_to(principal: Principal) -> ColumnElement[bool]:
    """Support sees every task; a researcher the tasks of projects they are named on."""
    if principal.has("support"):
        return true()
    if principal.has("researcher"):
        return LinkageTask.project_id.in_(
            select(ProjectMember.project_id).where(
                ProjectMember.researcher_id == principal.actor_id
            )
        )
    return false()


def _readable(principal: Principal) -> Select[LinkageTask, str]:
    return (
        select(LinkageTask, Project.title)
        .join(Project, Project.id == LinkageTask.project_id)
        .where(task_visible_to(principal))
    )


def _read(task: LinkageTask, title: str) -> LinkageTaskRead:
    return LinkageTaskRead.model_validate(task).model_copy(update={"project_title": title})


async def read_task(session: AsyncSession, principal: Principal, task_id: str) -> LinkageTaskRead:
    row = (await session.execute(_readable(principal).where(LinkageTask.id == task_id))).first()
    if row is None:
        raise NotFound(f"linkage task {task_id} not found")
    return _read(row[0], row[1])


async def list_tasks(
    session: AsyncSession,
    principal: Principal,
    *,
    status: LinkageState | None,
    project_id: str | None,
    limit: int,
    cursor: str | None,
) -> Page[LinkageTaskRead]:
    """Oldest first (the queue the SRS team works through), narrowed by status/project."""
    stmt = _readable(principal)
    if status is not None:
        stmt = stmt.where(LinkageTask.status == status)
    if project_id is not None:
        stmt = stmt.where(LinkageTask.project_id == project_id)
    page = await keyset_page(
        session, stmt, [LinkageTask.created_at, LinkageTask.id], cursor=cursor, limit=limit
    )
    return page.map(lambda row: _read(*row))


async def _locked(session: AsyncSession, principal: Principal, task_id: str) -> LinkageTask:
    stmt = select(LinkageTask).where(LinkageTask.id == task_id, task_visible_to(principal))
    task = (await session.execute(stmt.with_for_update())).scalar_one_or_none()
    if task is None:
        raise NotFound(f"linkage task {task_id} not found")
    return task


async def start(
    session: AsyncSession, principal: Principal, task_id: str, now: dt.datetime
) -> LinkageTask:
    """A member of the SRS team takes the task on."""
    task = await _locked(session, principal, task_id)
    task.status = rules.task_transition(task.status, LinkageAction.START)
    task.started_by, task.started_at = principal.actor_id, now
    await record_decision(
        session, task.project_id, "linkage_task_started", actor=principal.actor_id,
        reason=None, at=now, task_id=task.id,
    )  # fmt: skip
    await session.flush()
    return task


async def complete(
    session: AsyncSession, principal: Principal, task_id: str, outcome: TaskOutcome,
    now: dt.datetime,
) -> LinkageTask:  # fmt: skip
    """The matching is done: the counts and note are recorded and the de-identified
    extract is published for access to map into the project space."""
    task = await _locked(session, principal, task_id)
    task.status = rules.task_transition(task.status, LinkageAction.COMPLETE)
    task.finished_by, task.finished_at = principal.actor_id, now
    task.matched_count, task.unmatched_count = outcome.matched_count, outcome.unmatched_count
    task.note = outcome.note
    task.extract_id = f"idbr-{task.id}"
    project = await session.get(Project, task.project_id)
    assert project is not None  # the foreign key
    await record_decision(
        session, task.project_id, "linkage_task_completed", actor=principal.actor_id,
        reason=outcome.note, at=now, task_id=task.id, matched_count=outcome.matched_count,
        unmatched_count=outcome.unmatched_count,
    )  # fmt: skip
    await publish(
        session,
        LinkageTaskCompleted(
            task_id=task.id,
            project_id=project.id,
            organisation_id=project.organisation_id,
            lead_researcher_id=project.lead_researcher_id,
            method=task.method,  # type: ignore[arg-type]
            extract_id=task.extract_id,
            extract_title=rules.extract_title(task.method),
            matched_count=outcome.matched_count,
            unmatched_count=outcome.unmatched_count,
            note=outcome.note,
            occurred_at=now,
        ),
        subject=project.id,
    )
    await session.flush()
    return task


async def fail(
    session: AsyncSession, principal: Principal, task_id: str, reason: str, now: dt.datetime
) -> LinkageTask:
    """The matching cannot be done: the reason is recorded and the lead told."""
    task = await _locked(session, principal, task_id)
    task.status = rules.task_transition(task.status, LinkageAction.FAIL)
    task.finished_by, task.finished_at, task.failure_reason = principal.actor_id, now, reason
    project = await session.get(Project, task.project_id)
    assert project is not None
    await record_decision(
        session, task.project_id, "linkage_task_failed", actor=principal.actor_id,
        reason=reason, at=now, task_id=task.id,
    )  # fmt: skip
    await publish(
        session,
        LinkageTaskFailed(
            task_id=task.id,
            project_id=project.id,
            organisation_id=project.organisation_id,
            lead_researcher_id=project.lead_researcher_id,
            method=task.method,  # type: ignore[arg-type]
            reason=reason,
            occurred_at=now,
        ),
        subject=project.id,
    )
    await session.flush()
    return task
