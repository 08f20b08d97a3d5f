"""Case studies: staff nominate a completed project, with a reason; the lead consents or
declines. Each step is in the decision log and published (notify tells the lead)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.auth import Principal
from srs_common.contracts.case_studies import ProjectCaseStudyAnswered, ProjectCaseStudyNominated
from srs_common.events.outbox import publish
from srs_projects import domain
from srs_projects.decisions import record_by
from srs_projects.models import Project
from srs_projects.visibility import led_project, visible_project


async def nominate(
    session: AsyncSession, principal: Principal, project_id: str, reason: str, now: dt.datetime
) -> Project:
    """Support nominates a completed project as a case study: the lead is asked to consent."""
    project = await visible_project(session, principal, project_id, for_update=True)
    project.case_study = domain.check_nomination(project.status, project.case_study)
    project.case_study_reason = reason
    project.case_study_nominated_by = principal.actor_id
    project.case_study_nominated_at = now
    await record_by(session, project.id, "case_study_nominate", principal, reason, now)
    await publish(
        session,
        ProjectCaseStudyNominated(
            project_id=project.id,
            organisation_id=project.organisation_id,
            lead_researcher_id=project.lead_researcher_id,
            reason=reason,
            occurred_at=now,
        ),
        subject=project.id,
    )
    await session.flush()
    return project


async def answer(
    session: AsyncSession, principal: Principal, project_id: str, consent: bool, now: dt.datetime
) -> Project:
    """The lead consents to the case study or declines it (members who don't lead: 403)."""
    project = await led_project(session, principal, project_id)
    project.case_study = domain.answer_case_study(project.case_study, consent)
    project.case_study_answered_at = now
    action = "case_study_consent" if consent else "case_study_decline"
    await record_by(session, project.id, action, principal, None, now)
    await publish(
        session,
        ProjectCaseStudyAnswered(
            project_id=project.id,
            organisation_id=project.organisation_id,
            lead_researcher_id=project.lead_researcher_id,
            consent=consent,
            occurred_at=now,
        ),
        subject=project.id,
    )
    await session.flush()
    return project
