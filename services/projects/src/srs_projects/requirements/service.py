"""Dataset requirements on applications: opened from the catalogue read model, completed
by the lead, accepted or returned by the dataset's team (never commit)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.auth import Principal
from srs_common.contracts.access import DatasetCatalogued
from srs_common.contracts.requirements import (
    DatasetRequirementAccepted,
    DatasetRequirementReturned,
    DatasetRequirementSubmitted,
)
from srs_common.errors import Forbidden, IllegalTransition, NotFound
from srs_common.events.outbox import publish
from srs_common.ids import new_id
from srs_common.pagination import Page, keyset_page
from srs_projects import decisions, domain
from srs_projects.models import CataloguedDataset, DatasetRequirementTask, Project
from srs_projects.requirements import rules
from srs_projects.requirements.rules import RequirementAction, RequirementStatus
from srs_projects.visibility import project_visible_to

# Requirements follow the application until the panel decides: afterwards the catalogue
# changing its requirements changes nothing on the project.
OPEN = domain.EDITABLE | domain.UNDECIDED

Task = DatasetRequirementTask


def requirement_visible_to(principal: Principal) -> ColumnElement[bool]:
    """Requirements the caller may see: those of projects they may see, and a data
    owner's those their team (``org`` claim) accepts, once sent; support every one."""
    if principal.has("support"):
        return true()
    clauses: list[ColumnElement[bool]] = [
        Task.project_id.in_(select(Project.id).where(project_visible_to(principal)))
    ]
    if principal.has("data_owner") and principal.org:
        # A form reaches its team once the lead has sent it, not while it is being drafted.
        clauses.append(
            and_(Task.accepted_by == principal.org, Task.status != RequirementStatus.REQUIRED)
        )
    return or_(*clauses)


async def visible_requirement(
    session: AsyncSession, principal: Principal, requirement_id: str, *, for_update: bool = False
) -> DatasetRequirementTask:
    """The requirement if the caller may see it; 404 otherwise (existence never leaks)."""
    stmt = select(Task).where(Task.id == requirement_id, requirement_visible_to(principal))
    if for_update:
        stmt = stmt.with_for_update()
    task = (await session.execute(stmt)).scalar_one_or_none()
    if task is None:
        raise NotFound(f"dataset requirement {requirement_id} not found")
    return task


async def requirements_of(session: AsyncSession, project_id: str) -> list[DatasetRequirementTask]:
    """A project's requirements in the order the datasets were asked for, then by key."""
    rows = await session.execute(
        select(Task).where(Task.project_id == project_id).order_by(Task.created_at, Task.id)
    )
    return list(rows.scalars())


async def list_requirements(
    session: AsyncSession,
    principal: Principal,
    *,
    status: RequirementStatus | None,
    dataset_id: str | None,
    limit: int,
    cursor: str | None,
) -> Page[Any]:
    """Requirements the caller may see, oldest first, with their project's title."""
    stmt = (
        select(Task, Project.title, Project.status, Project.lead_researcher_id)
        .join(Project, Project.id == Task.project_id)
        .where(requirement_visible_to(principal))
    )
    if status is not None:
        stmt = stmt.where(Task.status == status)
    if dataset_id is not None:
        stmt = stmt.where(Task.dataset_id == dataset_id)
    return await keyset_page(session, stmt, [Task.created_at, Task.id], cursor=cursor, limit=limit)


# --- opening tasks from the catalogue -------------------------------------------------


async def sync_project(session: AsyncSession, project: Project) -> None:
    """Give an undecided application one task per requirement of each dataset it asks
    for, as the catalogue read model knows them; drop the tasks of datasets (or
    requirements) no longer asked, unless already accepted. A task not yet completed
    takes the catalogue's current wording."""
    if project.status not in OPEN:
        return
    catalogue = {
        row.id: row
        for row in (
            await session.execute(
                select(CataloguedDataset).where(CataloguedDataset.id.in_(project.dataset_ids))
            )
        ).scalars()
    }
    wanted: dict[tuple[str, str], tuple[CataloguedDataset, dict[str, Any]]] = {
        (dataset_id, r["key"]): (catalogue[dataset_id], r)
        for dataset_id in project.dataset_ids
        if dataset_id in catalogue
        for r in catalogue[dataset_id].requirements or []
    }
    existing = {(t.dataset_id, t.key): t for t in await requirements_of(session, project.id)}
    for key, stale in existing.items():
        if key not in wanted and stale.status != RequirementStatus.ACCEPTED:
            await session.delete(stale)
    for key, (dataset, requirement) in wanted.items():
        found = existing.get(key)
        if found is not None:
            task = found
        else:
            task = Task(
                id=new_id("req"),
                project_id=project.id,
                dataset_id=dataset.id,
                key=requirement["key"],
                status=RequirementStatus.REQUIRED,
            )
            session.add(task)
        if task.status == RequirementStatus.REQUIRED:
            task.dataset_title = dataset.title
            task.kind = requirement.get("kind", "supplementary_form")
            task.name = requirement["name"]
            task.accepted_by = requirement["accepted_by"]
            task.description = requirement.get("description", "")
            task.questions = list(requirement.get("questions", []))
    await session.flush()


async def record_catalogued(session: AsyncSession, payload: DatasetCatalogued) -> None:
    """After the catalogue read model took ``payload`` (its row's ``as_of`` is then the
    event's time; an older event left it alone), keep its requirements and bring every
    undecided application asking for the dataset up to date."""
    row = await session.get(CataloguedDataset, payload.dataset_id)
    if row is None or row.as_of != payload.occurred_at:
        return  # a late event: the newer one already decided
    row.requirements = [r.model_dump(mode="json") for r in payload.requirements]
    await session.flush()
    undecided = await session.execute(select(Project).where(Project.status.in_(list(OPEN))))
    for project in undecided.scalars():
        if payload.dataset_id in project.dataset_ids:
            await sync_project(session, project)


# --- the lead completes, the team decides ---------------------------------------------


async def _project_for(session: AsyncSession, task: DatasetRequirementTask) -> Project:
    project = await session.get(Project, task.project_id, with_for_update=True)
    assert project is not None  # the foreign key
    return project


async def _publish(
    session: AsyncSession,
    contract: type[DatasetRequirementSubmitted]
    | type[DatasetRequirementAccepted]
    | type[DatasetRequirementReturned],
    task: DatasetRequirementTask,
    project: Project,
    at: dt.datetime,
    **extra: Any,
) -> None:
    await publish(
        session,
        contract(
            requirement_id=task.id,
            project_id=project.id,
            project_title=project.title,
            organisation_id=project.organisation_id,
            lead_researcher_id=project.lead_researcher_id,
            dataset_id=task.dataset_id,
            dataset_title=task.dataset_title,
            name=task.name,
            accepted_by=task.accepted_by,
            occurred_at=at,
            **extra,
        ),
        subject=project.id,
    )


async def submit_form(
    session: AsyncSession,
    principal: Principal,
    requirement_id: str,
    answers: dict[str, str],
    now: dt.datetime,
) -> DatasetRequirementTask:
    """The lead completes (or, once returned, corrects) the form while the application is
    undecided; the dataset's team is asked to decide. Members who don't lead get 403."""
    task = await visible_requirement(session, principal, requirement_id, for_update=True)
    project = await _project_for(session, task)
    if project.lead_researcher_id != principal.actor_id:
        raise Forbidden("only the lead researcher completes a dataset's form")
    if project.status not in OPEN:
        raise IllegalTransition("project", project.status, "complete a dataset's form for")
    task.status = rules.transition(task.status, RequirementAction.SUBMIT)
    task.answers = rules.checked_answers(task.questions, answers)
    task.submitted_by, task.submitted_at = principal.actor_id, now
    task.return_reason = None
    await _publish(session, DatasetRequirementSubmitted, task, project, now)
    await session.flush()
    return task


async def decide(
    session: AsyncSession,
    principal: Principal,
    requirement_id: str,
    action: RequirementAction,
    reason: str | None,
    now: dt.datetime,
) -> DatasetRequirementTask:
    """The dataset's team (a data owner whose ``org`` is the requirement's
    ``accepted_by``) or support accepts the form or returns it with a reason; the
    decision goes into the audit log and is published (notify tells the lead)."""
    task = await visible_requirement(session, principal, requirement_id, for_update=True)
    if not (principal.has("support") or task.accepted_by == principal.org):
        raise NotFound(f"dataset requirement {requirement_id} not found")
    project = await _project_for(session, task)
    if project.status not in OPEN:
        raise IllegalTransition("project", project.status, f"{action} a dataset's form for")
    task.status = rules.transition(task.status, action)
    task.decided_by, task.decided_at = principal.actor_id, now
    task.return_reason = reason if action == RequirementAction.RETURN else None
    await decisions.record_decision(
        session,
        project.id,
        f"requirement_{action}",
        actor=principal.actor_id,
        reason=reason,
        at=now,
        requirement_id=task.id,
        dataset_id=task.dataset_id,
        requirement=task.name,
    )
    if action == RequirementAction.RETURN:
        await _publish(session, DatasetRequirementReturned, task, project, now, reason=reason or "")
    else:
        await _publish(session, DatasetRequirementAccepted, task, project, now)
    await session.flush()
    return task


async def check_approvable(session: AsyncSession, project_id: str) -> list[DatasetRequirementTask]:
    """The panel's approval waits for every requirement to be accepted (422 naming each
    one outstanding); the requirements, all accepted."""
    requirements = await requirements_of(session, project_id)
    rules.check_all_accepted(requirements)
    return requirements
