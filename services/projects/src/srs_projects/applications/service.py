"""The application: the lead drafts, edits and submits it; provisioning activates the
approved project."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.auth import Principal
from srs_common.contracts.base import Contract
from srs_common.contracts.projects import ProjectActivated, ProjectSubmitted
from srs_common.db import utcnow
from srs_common.errors import RuleViolation
from srs_common.events.outbox import publish, publish_many
from srs_common.ids import new_id
from srs_common.observability import current_correlation_id
from srs_projects import domain
from srs_projects.applications.schemas import ProjectCreate, ProjectUpdate
from srs_projects.domain import ProjectAction, ProjectStatus
from srs_projects.linkage import rules as linkage_rules
from srs_projects.members import researchers, roster
from srs_projects.models import Project, ProjectMember
from srs_projects.requirements import service as dataset_requirements
from srs_projects.visibility import led_project


async def create_project(
    session: AsyncSession, principal: Principal, data: ProjectCreate
) -> Project:
    """An accredited researcher drafts a project application and leads it. The project's
    organisation is the lead's (their researcher record, else their token's verified
    ``org`` claim), never one the body names."""
    lead = principal.actor_id
    domain.check_member(
        lead, domain.Role.LEAD, await researchers.accreditation_of(session, lead), utcnow().date()
    )
    organisation = await researchers.organisation_of(session, lead) or principal.org
    if organisation is None:
        raise RuleViolation(
            "the lead researcher's organisation is not known yet", rule="organisation_unknown"
        )
    if data.organisation_id is not None and data.organisation_id != organisation:
        raise RuleViolation(
            f"organisation_id must be the lead researcher's organisation ({organisation})",
            rule="organisation_not_leads",
            organisation_id=organisation,
        )
    values = data.model_dump(mode="python")
    values["organisation_id"] = organisation
    values["linkage"] = linkage_rules.with_charge_agreement(
        data.linkage.model_dump(mode="json") if data.linkage else None, None, lead, utcnow()
    )
    project = Project(
        id=new_id("prj"), status=ProjectStatus.DRAFT, lead_researcher_id=lead, **values
    )
    session.add(project)
    session.add(
        ProjectMember(project_id=project.id, researcher_id=lead, role=domain.Role.LEAD, active=True)
    )
    await session.flush()
    await dataset_requirements.sync_project(session, project)
    return project


async def update_application(
    session: AsyncSession, principal: Principal, project_id: str, changes: ProjectUpdate
) -> Project:
    """The lead edits the application while it is a draft or back with them."""
    project = await led_project(session, principal, project_id)
    domain.require_status(project.status, domain.EDITABLE, "edit")
    for field in changes.model_fields_set:
        value = getattr(changes, field)
        if field == "linkage":
            value = linkage_rules.with_charge_agreement(
                changes.linkage.model_dump(mode="json") if changes.linkage else None,
                project.linkage,
                principal.actor_id,
                utcnow(),
            )
        elif value is None and field not in ("expected_start_date",):
            continue
        setattr(project, field, value)
    if project.expected_start_date and project.expected_start_date >= project.expected_end_date:
        raise RuleViolation(
            "expected_start_date must be before expected_end_date", rule="dates_in_order"
        )
    await session.flush()
    if "dataset_ids" in changes.model_fields_set:
        await dataset_requirements.sync_project(session, project)
    return project


async def _check_ready(session: AsyncSession, project: Project) -> None:
    linkage_rules.check_charge_agreed(project.linkage)
    problems = domain.submission_problems(
        lay_summary=project.lay_summary,
        public_benefit=project.public_benefit,
        expected_start_date=project.expected_start_date,
        ethics_confirmed=project.ethics_confirmed,
        data_source_acknowledged=project.data_source_acknowledged,
        linkage=project.linkage,
    )
    if problems:
        raise RuleViolation(
            "the application is not ready for the panel: " + "; ".join(problems),
            rule="application_incomplete",
            problems=problems,
        )
    await roster.check_all_members(session, project, utcnow().date())


async def submit_project(
    session: AsyncSession, principal: Principal, project_id: str, *, resubmission: bool = False
) -> Project:
    """The lead sends a complete application to the Research Accreditation Panel."""
    project = await led_project(session, principal, project_id)
    project.status = domain.transition(
        project.status, ProjectAction.RESUBMIT if resubmission else ProjectAction.SUBMIT
    )
    await _check_ready(session, project)
    project.submitted_at = utcnow()
    await publish(
        session,
        ProjectSubmitted(
            project_id=project.id,
            organisation_id=project.organisation_id,
            title=project.title,
            lead_researcher_id=project.lead_researcher_id,
            priority=project.priority,
            resubmission=resubmission,
            occurred_at=project.submitted_at,
        ),
        subject=project.id,
    )
    await session.flush()
    return project


async def activate_project(
    session: AsyncSession, project_id: str, provisioned_at: dt.datetime
) -> None:
    """The project space exists: the project becomes active (once)."""
    await activate_projects(session, [(project_id, provisioned_at, current_correlation_id())])


async def activate_projects(
    session: AsyncSession, provisioned: Sequence[tuple[str, dt.datetime, str | None]]
) -> None:
    """:func:`activate_project` for several spaces at once, each ``(project id, time
    provisioned, correlation id)``: one locked read, one event insert, one update."""
    ids = list(dict.fromkeys(project_id for project_id, _, _ in provisioned))
    projects = {
        project.id: project
        for project in (
            await session.execute(
                select(Project).where(Project.id.in_(ids)).order_by(Project.id).with_for_update()
            )
        ).scalars()
    }
    events: list[tuple[Contract, str, str | None]] = []
    for project_id, provisioned_at, correlation in provisioned:
        project = projects.get(project_id)
        if (
            project is not None
            and project.status == ProjectStatus.SUSPENDED
            and project.activated_at is None
        ):
            project.activated_at = provisioned_at  # suspended before its space was ready
            continue
        if project is None or project.status != ProjectStatus.APPROVED:
            continue  # unknown, or already active: a redelivery changes nothing
        project.status = domain.transition(project.status, ProjectAction.ACTIVATE)
        project.activated_at = provisioned_at
        events.append(
            (
                ProjectActivated(
                    project_id=project.id,
                    organisation_id=project.organisation_id,
                    dataset_ids=list(project.dataset_ids),
                    occurred_at=provisioned_at,
                ),
                project.id,
                correlation,
            )
        )
    await publish_many(session, events)
    await session.flush()
