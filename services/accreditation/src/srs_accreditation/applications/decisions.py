"""The Research Accreditation Panel's decisions: approve (grant or renew), reject, ask for more."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_accreditation import domain
from srs_accreditation.accreditations.events import accreditation_event, contract_kind
from srs_accreditation.applications.events import application_fields
from srs_accreditation.applications.visibility import visible_application
from srs_accreditation.domain import AccreditationStatus, ApplicationAction
from srs_accreditation.models import Accreditation, Application, Researcher, audit_log
from srs_accreditation.schemas import Approval, Reasoned
from srs_accreditation.settings import AccreditationSettings
from srs_common.auth import Principal
from srs_common.contracts.accreditation import (
    AccreditationGranted,
    AccreditationRenewed,
    ApplicationInformationRequested,
    ApplicationRejected,
)
from srs_common.db import utcnow
from srs_common.events.outbox import publish
from srs_common.ids import new_id


async def _decide(
    session: AsyncSession, principal: Principal, application_id: str, action: ApplicationAction
) -> tuple[Application, Researcher, dt.datetime]:
    """Apply the panel's ``action``: the application, its applicant and the time decided."""
    # The row lock makes simultaneous decisions queue; the loser sees the new status: 409.
    application = await visible_application(session, principal, application_id, for_update=True)
    application.status = domain.application_transition(application.status, action)
    application.decided_by = principal.sub
    application.decided_at = now = utcnow()
    researcher = await session.get(Researcher, application.researcher_id)
    assert researcher is not None  # a foreign key: every application has its researcher
    return application, researcher, now


async def _audit_decision(
    session: AsyncSession, principal: Principal, application: Application, **detail: object
) -> None:
    """Record the panel's decision on an application in the audit log."""
    assert application.decided_at is not None
    await audit_log.append(
        session,
        actor=principal.actor_id,
        action=f"application.{application.status}",
        outcome=application.status,
        occurred_at=application.decided_at,
        subject=("application", application.id),
        researcher_id=application.researcher_id,
        detail={"kind": application.kind, **detail},
    )


async def approve_application(
    session: AsyncSession,
    settings: AccreditationSettings,
    principal: Principal,
    application_id: str,
    decision: Approval,
) -> Application:
    """The panel approves: a new accreditation for the policy period, or the renewal of
    the researcher's current one of that kind from its old end date."""
    application, researcher, now = await _decide(
        session, principal, application_id, ApplicationAction.APPROVE
    )
    application.decision_reason = decision.reason
    application.conditions = decision.conditions
    await _audit_decision(
        session, principal, application, reason=decision.reason, conditions=decision.conditions
    )
    years = settings.validity_years(application.kind)
    current = (
        (
            await session.execute(
                select(Accreditation)
                .where(
                    Accreditation.researcher_id == researcher.id,
                    Accreditation.kind == application.kind,
                    Accreditation.status == AccreditationStatus.CURRENT,
                )
                .with_for_update()
            )
        )
        .scalars()
        .first()
    )
    if current is not None:
        previous = current.valid_until
        current.valid_until = domain.renewed_until(previous, years)
        current.application_id = application.id
        current.conditions = decision.conditions
        current.supervisor_id = application.supervisor_id
        current.updated_at = now
        application.accreditation_id = current.id
        await session.flush()
        renewed = accreditation_event(
            AccreditationRenewed,
            current,
            researcher.organisation_id,
            previous_valid_until=previous,
            application_id=application.id,
        )
        await publish(session, renewed, subject=current.id)
        return application
    valid_from, valid_until = domain.validity_period(now.date(), years)
    accreditation = Accreditation(
        id=new_id("acc"),
        researcher_id=researcher.id,
        kind=application.kind,
        status=AccreditationStatus.CURRENT,
        valid_from=valid_from,
        valid_until=valid_until,
        application_id=application.id,
        supervisor_id=application.supervisor_id,
        conditions=decision.conditions,
        granted_at=now,
        updated_at=now,
    )
    session.add(accreditation)
    application.accreditation_id = accreditation.id
    await session.flush()
    granted = accreditation_event(
        AccreditationGranted,
        accreditation,
        researcher.organisation_id,
        application_id=application.id,
        supervisor_id=application.supervisor_id,
        conditions=decision.conditions,
    )
    await publish(session, granted, subject=accreditation.id)
    return application


async def reject_application(
    session: AsyncSession, principal: Principal, application_id: str, decision: Reasoned
) -> Application:
    """The panel rejects, with its reasons."""
    application, researcher, now = await _decide(
        session, principal, application_id, ApplicationAction.REJECT
    )
    application.decision_reason = decision.reason
    await _audit_decision(session, principal, application, reason=decision.reason)
    await session.flush()
    await publish(
        session,
        ApplicationRejected(
            **application_fields(application, researcher),
            kind=contract_kind(application.kind),
            reason=decision.reason,
            occurred_at=now,
        ),
        subject=application.id,
    )
    return application


async def request_information(
    session: AsyncSession, principal: Principal, application_id: str, request: Reasoned
) -> Application:
    """The panel asks the applicant for more; the applicant edits and resubmits."""
    application, researcher, now = await _decide(
        session, principal, application_id, ApplicationAction.REQUEST_INFORMATION
    )
    application.information_requested = request.reason
    await _audit_decision(session, principal, application, question=request.reason)
    await session.flush()
    await publish(
        session,
        ApplicationInformationRequested(
            **application_fields(application, researcher),
            occurred_at=now,
        ),
        subject=application.id,
    )
    return application
