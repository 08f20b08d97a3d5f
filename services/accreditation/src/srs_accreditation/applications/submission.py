"""Submission to the panel: eligibility is checked now, naming the unmet rule."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_accreditation import domain
from srs_accreditation.accreditations.events import contract_kind
from srs_accreditation.applications.events import application_fields
from srs_accreditation.applications.visibility import (
    acts_as_partner,
    own_application,
    visible_application,
)
from srs_accreditation.domain import AccreditationStatus, ApplicationAction, ApplicationStatus
from srs_accreditation.models import Accreditation, Application, Researcher
from srs_accreditation.settings import AccreditationSettings
from srs_common.auth import Principal
from srs_common.contracts.accreditation import ApplicationSubmitted
from srs_common.db import utcnow
from srs_common.errors import RuleViolation
from srs_common.events.outbox import publish


async def supervisor_standing(
    session: AsyncSession, supervisor_id: str | None, today: dt.date
) -> domain.SupervisorStanding | None:
    if not supervisor_id:
        return None
    supervisor = await session.get(Researcher, supervisor_id)
    if supervisor is None:
        return None
    current_full = (
        await session.execute(
            select(Accreditation.id)
            .where(
                Accreditation.researcher_id == supervisor_id,
                Accreditation.kind.in_(list(domain.FULLY_ACCREDITED_KINDS)),
                Accreditation.status == AccreditationStatus.CURRENT,
                Accreditation.valid_from <= today,
                Accreditation.valid_until >= today,
            )
            .limit(1)
        )
    ).first()
    return domain.SupervisorStanding(
        organisation_id=supervisor.organisation_id, fully_accredited_now=current_full is not None
    )


async def submit_application(
    session: AsyncSession,
    settings: AccreditationSettings,
    principal: Principal,
    application_id: str,
) -> Application:
    """The applicant (or a partner client of their organisation) submits or resubmits;
    eligibility is checked now, naming the unmet rule."""
    if acts_as_partner(principal):
        application = await visible_application(session, principal, application_id, for_update=True)
    else:
        application = await own_application(session, principal, application_id)
    target = domain.application_transition(application.status, ApplicationAction.SUBMIT)
    researcher = await session.get(Researcher, application.researcher_id)
    assert researcher is not None
    now = utcnow()
    today = now.date()
    suspended = (
        await session.execute(
            select(Accreditation.id)
            .where(
                Accreditation.researcher_id == researcher.id,
                Accreditation.status == AccreditationStatus.SUSPENDED,
            )
            .limit(1)
        )
    ).first()
    if suspended is not None:
        raise RuleViolation(
            "a researcher whose accreditation is suspended cannot apply until it is reinstated",
            rule="not_suspended",
        )
    domain.check_eligibility(
        kind=application.kind,
        applicant_id=researcher.id,
        applicant_organisation=researcher.organisation_id,
        qualifications=domain.Qualifications(**researcher.qualifications),
        training_completed_on=application.training_completed_on,
        supervisor_id=application.supervisor_id,
        supervisor=await supervisor_standing(session, application.supervisor_id, today),
        supervisor_same_organisation=settings.supervisor_same_organisation,
        today=today,
    )
    resubmission = application.status == ApplicationStatus.INFORMATION_REQUESTED
    application.status = target
    application.submitted_at = now
    await session.flush()
    await publish(
        session,
        ApplicationSubmitted(
            **application_fields(application, researcher),
            kind=contract_kind(application.kind),
            resubmission=resubmission,
            occurred_at=now,
        ),
        subject=application.id,
    )
    return application
