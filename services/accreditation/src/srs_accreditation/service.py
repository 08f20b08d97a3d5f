"""Accreditation use cases: load, apply domain rules, add outbox events, flush (never commit)."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from srs_accreditation import domain
from srs_accreditation.domain import AccreditationStatus, ApplicationStatus
from srs_accreditation.models import Accreditation, Application, OrganisationChange, Researcher
from srs_accreditation.schemas import (
    ApplicationCreate,
    ApplicationUpdate,
    Approval,
    OrganisationChangeCreate,
    Reasoned,
    ResearcherCreate,
    ResearcherUpdate,
)
from srs_accreditation.settings import AccreditationSettings
from srs_common.auth import Principal
from srs_common.contracts.accreditation import (
    AccreditationGranted,
    AccreditationReinstated,
    AccreditationRenewed,
    AccreditationRevoked,
    AccreditationSuspended,
    ApplicationInformationRequested,
    ApplicationRejected,
    ApplicationSubmitted,
    ResearcherRegistered,
    ResearcherUpdated,
)
from srs_common.contracts.base import Contract
from srs_common.db import utcnow
from srs_common.errors import AppError, Conflict, Forbidden, NotFound, RuleViolation
from srs_common.events.outbox import publish
from srs_common.ids import new_id
from srs_common.pagination import decode_cursor, encode_cursor

AnyAccreditationEvent = TypeVar("AnyAccreditationEvent", bound=Contract)

# --- researchers -------------------------------------------------------------------


def own_researcher_id(principal: Principal) -> str:
    if not principal.researcher_id:
        raise Forbidden("the token carries no researcher_id")
    return principal.researcher_id


def may_see_researcher(principal: Principal, researcher: Researcher) -> bool:
    if principal.has("support"):
        return True
    if principal.has("partner") and principal.org and principal.org == researcher.organisation_id:
        return True
    return principal.researcher_id is not None and principal.researcher_id == researcher.id


async def visible_researcher(
    session: AsyncSession, principal: Principal, researcher_id: str
) -> Researcher:
    """The profile if the caller may see it; 404 otherwise (existence never leaks)."""
    researcher = await session.get(Researcher, researcher_id)
    if researcher is None or not may_see_researcher(principal, researcher):
        raise NotFound(f"researcher {researcher_id} not found")
    return researcher


def _profile_event(
    cls: type[ResearcherRegistered] | type[ResearcherUpdated], researcher: Researcher
) -> ResearcherRegistered | ResearcherUpdated:
    return cls(
        researcher_id=researcher.id,
        name=researcher.name,
        email=researcher.email,
        organisation_id=researcher.organisation_id,
        occurred_at=researcher.updated_at,
    )


def identity_organisation(principal: Principal) -> str:
    """The organisation of the caller's verified identity (the token's ``org`` claim)."""
    if not principal.org:
        raise Forbidden(
            "the token carries no organisation (org claim): a researcher's "
            "organisation comes from their verified identity"
        )
    return principal.org


def refuse_other_organisation(requested: str | None, organisation_id: str) -> None:
    """A body may repeat the researcher's organisation, never name another: it comes from
    the verified identity at registration and only support changes it afterwards."""
    if requested is not None and requested != organisation_id:
        raise RuleViolation(
            f"organisation_id {requested} is not the researcher's organisation "
            f"({organisation_id}): it comes from the verified identity, and only support "
            "changes it",
            rule="organisation_from_identity",
        )


async def register_researcher(
    session: AsyncSession, principal: Principal, data: ResearcherCreate
) -> Researcher:
    """A researcher registers their own profile, under their token's ``researcher_id`` and
    at their token's organisation."""
    researcher_id = own_researcher_id(principal)
    organisation_id = identity_organisation(principal)
    refuse_other_organisation(data.organisation_id, organisation_id)
    if await session.get(Researcher, researcher_id) is not None:
        raise Conflict(f"researcher {researcher_id} is already registered")
    now = utcnow()
    researcher = Researcher(
        id=researcher_id,
        name=data.name,
        email=str(data.email),
        organisation_id=organisation_id,
        qualifications=data.qualifications.model_dump(),
        created_at=now,
        updated_at=now,
    )
    session.add(researcher)
    await session.flush()
    await publish(session, _profile_event(ResearcherRegistered, researcher), subject=researcher.id)
    return researcher


async def update_researcher(
    session: AsyncSession, principal: Principal, researcher_id: str, data: ResearcherUpdate
) -> Researcher:
    """A researcher edits their own profile (not their organisation); every change is
    published."""
    researcher = await session.get(Researcher, researcher_id, with_for_update=True)
    if researcher is None or principal.researcher_id != researcher.id:
        raise NotFound(f"researcher {researcher_id} not found")
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    refuse_other_organisation(changes.pop("organisation_id", None), researcher.organisation_id)
    if "email" in changes:
        changes["email"] = str(changes["email"])
    changes = {k: v for k, v in changes.items() if getattr(researcher, k) != v}
    if not changes:
        return researcher  # nothing changed: nothing to publish
    for field, value in changes.items():
        setattr(researcher, field, value)
    researcher.updated_at = utcnow()
    await session.flush()
    await publish(session, _profile_event(ResearcherUpdated, researcher), subject=researcher.id)
    return researcher


async def change_organisation(
    session: AsyncSession, principal: Principal, researcher_id: str, data: OrganisationChangeCreate
) -> Researcher:
    """Support moves a researcher to another organisation, with a reason: recorded in the
    researcher's organisation history and published (``researcher.updated``)."""
    researcher = await session.get(Researcher, researcher_id, with_for_update=True)
    if researcher is None:
        raise NotFound(f"researcher {researcher_id} not found")
    if researcher.organisation_id == data.organisation_id:
        raise Conflict(
            f"researcher {researcher_id} is already of organisation {data.organisation_id}"
        )
    now = utcnow()
    session.add(
        OrganisationChange(
            researcher_id=researcher.id,
            from_organisation_id=researcher.organisation_id,
            to_organisation_id=data.organisation_id,
            changed_by=principal.sub,
            reason=data.reason,
            changed_at=now,
        )
    )
    researcher.organisation_id = data.organisation_id
    researcher.updated_at = now
    await session.flush()
    await publish(session, _profile_event(ResearcherUpdated, researcher), subject=researcher.id)
    return researcher


async def organisation_changes(
    session: AsyncSession, researcher_id: str
) -> list[OrganisationChange]:
    """A researcher's organisation history, oldest first (support)."""
    if await session.get(Researcher, researcher_id) is None:
        raise NotFound(f"researcher {researcher_id} not found")
    return list(
        (
            await session.execute(
                select(OrganisationChange)
                .where(OrganisationChange.researcher_id == researcher_id)
                .order_by(OrganisationChange.id)
            )
        ).scalars()
    )


async def list_researchers(
    session: AsyncSession, principal: Principal, *, limit: int, cursor: str | None
) -> tuple[list[Researcher], str | None]:
    """Support sees every researcher; a partner only its organisation's; others only themself."""
    stmt = select(Researcher).order_by(Researcher.id).limit(limit + 1)
    if not principal.has("support"):
        if principal.has("partner") and principal.org:
            stmt = stmt.where(Researcher.organisation_id == principal.org)
        else:
            stmt = stmt.where(Researcher.id == (principal.researcher_id or ""))
    after = decode_cursor(cursor)
    if after:
        stmt = stmt.where(Researcher.id > str(after[0]))
    rows = list((await session.execute(stmt)).scalars())
    next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
    return rows[:limit], next_cursor


# --- applications ------------------------------------------------------------------


async def visible_application(
    session: AsyncSession, principal: Principal, application_id: str, *, for_update: bool = False
) -> Application:
    """The application if the caller may see it: its applicant, support, the panel once
    submitted, a partner of the applicant's organisation; 404 otherwise."""
    stmt = select(Application).where(Application.id == application_id)
    if for_update:
        stmt = stmt.with_for_update()
    application = (await session.execute(stmt)).scalar_one_or_none()
    if application is None:
        raise NotFound(f"application {application_id} not found")
    if principal.has("support") or principal.researcher_id == application.researcher_id:
        return application
    if principal.has("panel") and application.status != ApplicationStatus.DRAFT:
        return application
    if principal.has("partner") and principal.org:
        researcher = await session.get(Researcher, application.researcher_id)
        if researcher is not None and researcher.organisation_id == principal.org:
            return application
    raise NotFound(f"application {application_id} not found")


async def _own_application(
    session: AsyncSession, principal: Principal, application_id: str
) -> Application:
    application = await visible_application(session, principal, application_id, for_update=True)
    if application.researcher_id != principal.researcher_id:
        raise NotFound(f"application {application_id} not found")
    return application


def _acts_as_partner(principal: Principal) -> bool:
    return principal.has("partner") and not principal.has("researcher")


async def _applicant_id(session: AsyncSession, principal: Principal, requested: str | None) -> str:
    """Whom an application is for: the researcher themself, or a researcher of the
    partner client's organisation (404 for anyone else's)."""
    if _acts_as_partner(principal):
        if not requested:
            raise RuleViolation(
                "a partner client names the researcher_id it applies for",
                rule="researcher_id_required",
            )
        await visible_researcher(session, principal, requested)
        return requested
    own = own_researcher_id(principal)
    if requested and requested != own:
        raise RuleViolation("researchers apply for themselves only", rule="own_application")
    return own


async def create_application(
    session: AsyncSession, principal: Principal, data: ApplicationCreate
) -> Application:
    """A registered researcher drafts an application (or a partner client drafts one for a
    researcher of its organisation); if they already hold a current accreditation of that
    kind, its approval renews it."""
    researcher_id = await _applicant_id(session, principal, data.researcher_id)
    if await session.get(Researcher, researcher_id) is None:
        raise RuleViolation(
            "register a researcher profile before applying", rule="profile_required"
        )
    application = Application(
        id=new_id("app"),
        researcher_id=researcher_id,
        kind=data.kind,
        status=ApplicationStatus.DRAFT,
        supervisor_id=data.supervisor_id,
        training_completed_on=data.training_completed_on,
        statement=data.statement,
    )
    session.add(application)
    await session.flush()
    return application


async def update_application(
    session: AsyncSession, principal: Principal, application_id: str, data: ApplicationUpdate
) -> Application:
    """The applicant edits a draft, or answers the panel's request for information."""
    application = await _own_application(session, principal, application_id)
    domain.application_transition(application.status, "edit")
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(application, field, value)
    await session.flush()
    return application


async def _supervisor_standing(
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
    if _acts_as_partner(principal):
        application = await visible_application(session, principal, application_id, for_update=True)
    else:
        application = await _own_application(session, principal, application_id)
    target = domain.application_transition(application.status, "submit")
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
        supervisor=await _supervisor_standing(session, application.supervisor_id, today),
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
            application_id=application.id,
            researcher_id=researcher.id,
            organisation_id=researcher.organisation_id,
            kind=application.kind,
            resubmission=resubmission,
            occurred_at=now,
        ),
        subject=application.id,
    )
    return application


async def withdraw_application(
    session: AsyncSession, principal: Principal, application_id: str
) -> Application:
    """The applicant withdraws before a decision."""
    application = await _own_application(session, principal, application_id)
    application.status = domain.application_transition(application.status, "withdraw")
    await session.flush()
    return application


async def list_applications(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Application], str | None]:
    """Researchers list their own; the panel the submitted ones; a partner its
    organisation's researchers'; support all."""
    stmt = select(Application).order_by(Application.created_at, Application.id).limit(limit + 1)
    if not principal.has("support"):
        if principal.has("panel"):
            stmt = stmt.where(Application.status != ApplicationStatus.DRAFT)
        elif principal.has("partner") and principal.org:
            stmt = stmt.where(
                Application.researcher_id.in_(
                    select(Researcher.id).where(Researcher.organisation_id == principal.org)
                )
            )
        else:
            stmt = stmt.where(Application.researcher_id == (principal.researcher_id or ""))
    if status:
        stmt = stmt.where(Application.status == status)
    after = decode_cursor(cursor)
    if after:
        try:
            created, last_id = dt.datetime.fromisoformat(str(after[0])), str(after[1])
            if created.tzinfo is None:
                raise ValueError("naive time in cursor")
        except (ValueError, IndexError):
            raise AppError(
                "the cursor is not one this API issued", status=422, title="Invalid cursor"
            ) from None
        stmt = stmt.where(
            (Application.created_at > created)
            | ((Application.created_at == created) & (Application.id > last_id))
        )
    rows = list((await session.execute(stmt)).scalars())
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor([last.created_at.isoformat(), last.id])
    return rows[:limit], next_cursor


# --- decisions ---------------------------------------------------------------------


async def _decide(
    session: AsyncSession, principal: Principal, application_id: str, action: str
) -> tuple[Application, Researcher]:
    # The row lock makes simultaneous decisions queue; the loser sees the new status: 409.
    application = await visible_application(session, principal, application_id, for_update=True)
    application.status = domain.application_transition(application.status, action)
    application.decided_by = principal.sub
    application.decided_at = utcnow()
    researcher = await session.get(Researcher, application.researcher_id)
    assert researcher is not None
    return application, researcher


def accreditation_event(
    cls: type[AnyAccreditationEvent],
    accreditation: Accreditation,
    organisation_id: str,
    **extra: Any,
) -> AnyAccreditationEvent:
    """The ``cls`` event payload describing ``accreditation`` as it stands now."""
    return cls(
        accreditation_id=accreditation.id,
        researcher_id=accreditation.researcher_id,
        organisation_id=organisation_id,
        kind=accreditation.kind,
        status=accreditation.status,
        valid_from=accreditation.valid_from,
        valid_until=accreditation.valid_until,
        reason=accreditation.status_reason,
        occurred_at=accreditation.updated_at,
        **extra,
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
    application, researcher = await _decide(session, principal, application_id, "approve")
    application.decision_reason = decision.reason
    application.conditions = decision.conditions
    now = application.decided_at
    assert now is not None
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
    application, researcher = await _decide(session, principal, application_id, "reject")
    application.decision_reason = decision.reason
    await session.flush()
    await publish(
        session,
        ApplicationRejected(
            application_id=application.id,
            researcher_id=researcher.id,
            organisation_id=researcher.organisation_id,
            kind=application.kind,
            reason=decision.reason,
            occurred_at=application.decided_at,
        ),
        subject=application.id,
    )
    return application


async def request_information(
    session: AsyncSession, principal: Principal, application_id: str, request: Reasoned
) -> Application:
    """The panel asks the applicant for more; the applicant edits and resubmits."""
    application, researcher = await _decide(
        session, principal, application_id, "request information on"
    )
    application.information_requested = request.reason
    await session.flush()
    await publish(
        session,
        ApplicationInformationRequested(
            application_id=application.id,
            researcher_id=researcher.id,
            organisation_id=researcher.organisation_id,
            occurred_at=application.decided_at,
        ),
        subject=application.id,
    )
    return application


# --- accreditations ----------------------------------------------------------------


async def visible_accreditation(
    session: AsyncSession, principal: Principal, accreditation_id: str, *, for_update: bool = False
) -> tuple[Accreditation, Researcher]:
    stmt = select(Accreditation).where(Accreditation.id == accreditation_id)
    if for_update:
        stmt = stmt.with_for_update()
    accreditation = (await session.execute(stmt)).scalar_one_or_none()
    if accreditation is not None:
        researcher = await session.get(Researcher, accreditation.researcher_id)
        if researcher is not None and (
            principal.has("panel") or may_see_researcher(principal, researcher)
        ):
            return accreditation, researcher
    raise NotFound(f"accreditation {accreditation_id} not found")


async def researcher_accreditations(
    session: AsyncSession, principal: Principal, researcher_id: str
) -> list[Accreditation]:
    await visible_researcher(session, principal, researcher_id)
    return list(
        (
            await session.execute(
                select(Accreditation)
                .where(Accreditation.researcher_id == researcher_id)
                .order_by(Accreditation.granted_at, Accreditation.id)
            )
        ).scalars()
    )


_STATUS_EVENTS = {
    "suspend": AccreditationSuspended,
    "reinstate": AccreditationReinstated,
    "revoke": AccreditationRevoked,
}


async def change_accreditation_status(
    session: AsyncSession, principal: Principal, accreditation_id: str, action: str, reason: str
) -> Accreditation:
    """Support suspends, reinstates or revokes an accreditation, with a reason."""
    accreditation, researcher = await visible_accreditation(
        session, principal, accreditation_id, for_update=True
    )
    accreditation.status = domain.accreditation_transition(accreditation.status, action)
    accreditation.status_reason = reason
    accreditation.updated_at = utcnow()
    await session.flush()
    await publish(
        session,
        accreditation_event(_STATUS_EVENTS[action], accreditation, researcher.organisation_id),
        subject=accreditation.id,
    )
    return accreditation


async def suspend_for_breach(
    session: AsyncSession, researcher_id: str, reason: str, when: dt.datetime
) -> int:
    """Suspend every current accreditation of ``researcher_id`` (a consumed breach).

    The conditional UPDATE is the guard: an accreditation already suspended (a
    redelivery, or a second breach) is left alone and publishes nothing."""
    researcher = await session.get(Researcher, researcher_id)
    if researcher is None:
        return 0
    ids = list(
        (
            await session.execute(
                select(Accreditation.id).where(
                    Accreditation.researcher_id == researcher_id,
                    Accreditation.status == AccreditationStatus.CURRENT,
                )
            )
        ).scalars()
    )
    suspended = 0
    for accreditation_id in ids:
        result = await session.execute(
            update(Accreditation)
            .where(
                Accreditation.id == accreditation_id,
                Accreditation.status == AccreditationStatus.CURRENT,
            )
            .values(status=AccreditationStatus.SUSPENDED, status_reason=reason, updated_at=when)
        )
        if result.rowcount != 1:
            continue
        accreditation = await session.get(Accreditation, accreditation_id, populate_existing=True)
        assert accreditation is not None
        await publish(
            session,
            accreditation_event(AccreditationSuspended, accreditation, researcher.organisation_id),
            subject=accreditation.id,
        )
        suspended += 1
    return suspended
