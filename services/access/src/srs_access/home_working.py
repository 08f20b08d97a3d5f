"""Home working (section 18): application, approvals, extended SyOps signatures."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, delete, exists, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from srs_access.domain import (
    HomeWorkingAction,
    agreement_current,
    check_home_working_form,
    check_home_working_transition,
    home_working_fully_approved,
    home_working_respond_by,
)
from srs_access.models import (
    Dataset,
    HomeWorkingGrant,
    HomeWorkingRequest,
    Organisation,
    ProjectMemberView,
    ProjectView,
    audit_log,
)
from srs_common.auth import Principal
from srs_common.contracts.access import (
    HomeWorkingApproved,
    HomeWorkingRefused,
    HomeWorkingRequested,
    HomeWorkingRevoked,
)
from srs_common.db import utcnow
from srs_common.errors import Conflict, IllegalTransition, NotFound, RuleViolation
from srs_common.events.outbox import publish
from srs_common.ids import new_id


async def _require_current_agreement(session: AsyncSession, organisation_id: str) -> None:
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None or not agreement_current(
        organisation.aoc_certified_until, organisation.legacy_remote_access, utcnow().date()
    ):
        raise RuleViolation(
            f"organisation {organisation_id} has no current Assured Organisational "
            "Connectivity agreement (a legacy remote-access arrangement does not count)",
            rule="no_current_agreement",
        )


async def submit_request(
    session: AsyncSession,
    principal: Principal,
    *,
    project_ids: list[str],
    researcher_ids: list[str],
    importance_to_government: str,
    urgency_and_impact_of_delay: str,
    organisation_machine_over_vpn: bool,
    organisation_agreement_confirmed: bool,
) -> HomeWorkingRequest:
    """A researcher applies for home working for named colleagues on their projects.

    The submitter must be an active member of every project and every named researcher
    an active member of it too (404 otherwise: nobody learns of projects not theirs);
    the organisation needs a current agreement. The approval of the owner of every
    dataset of those projects is then awaited, with service staff's
    (``home_working.requested`` tells them)."""
    check_home_working_form(organisation_machine_over_vpn, organisation_agreement_confirmed)
    assert principal.researcher_id is not None
    if principal.org is None:
        raise RuleViolation("your token names no organisation", rule="organisation_required")
    dataset_owners: dict[str, str] = {}
    for project_id in project_ids:
        members = {
            m.researcher_id: m.status
            for m in (
                await session.execute(
                    select(ProjectMemberView).where(ProjectMemberView.project_id == project_id)
                )
            ).scalars()
        }
        project = await session.get(ProjectView, project_id)
        if project is None or members.get(principal.researcher_id) != "active":
            raise NotFound(f"no project {project_id}")
        not_members = [r for r in researcher_ids if members.get(r) != "active"]
        if not_members:
            raise RuleViolation(
                f"not active members of {project_id}: {', '.join(not_members)}",
                rule="not_active_member",
            )
        for dataset in (
            await session.execute(select(Dataset).where(Dataset.id.in_(project.dataset_ids)))
        ).scalars():
            dataset_owners[dataset.id] = dataset.owner
        missing = set(project.dataset_ids) - set(dataset_owners)
        if missing:
            raise RuleViolation(
                f"datasets not in the catalogue: {', '.join(sorted(missing))}",
                rule="uncatalogued_dataset",
            )
    await _require_current_agreement(session, principal.org)
    now = utcnow()
    request = HomeWorkingRequest(
        id=new_id("hw"),
        organisation_id=principal.org,
        submitted_by=principal.researcher_id,
        project_ids=list(project_ids),
        researcher_ids=list(researcher_ids),
        importance_to_government=importance_to_government,
        urgency_and_impact_of_delay=urgency_and_impact_of_delay,
        organisation_machine_over_vpn=organisation_machine_over_vpn,
        organisation_agreement_confirmed=organisation_agreement_confirmed,
        status="submitted",
        dataset_owners=dataset_owners,
        owner_approvals={},
        submitted_at=now,
        respond_by=home_working_respond_by(now),
    )
    session.add(request)
    await session.flush()
    # Data owners of these datasets and support staff are told a decision awaits them.
    await publish(
        session,
        HomeWorkingRequested(
            request_id=request.id,
            organisation_id=request.organisation_id,
            researcher_ids=request.researcher_ids,
            project_ids=request.project_ids,
            dataset_ids=sorted(dataset_owners),
            occurred_at=now,
        ),
        subject=request.id,
    )
    return request


def _json_holds(
    column: Any, value: str, dialect: str, *, object_values: bool = False
) -> ColumnElement[bool]:
    """``value`` is an element of the JSON array in ``column`` (or, ``object_values``, one of
    the JSON object's values), in the dialect's own JSON functions."""
    if dialect == "postgresql":
        if object_values:
            pairs = func.json_each_text(column).table_valued("key", "value")
            return exists().where(pairs.c.value == value)
        element = func.json_array_elements_text(column).column_valued()
        return exists().where(element == value)
    items = func.json_each(column).table_valued("value")
    return exists().where(items.c.value == value)


def request_visible_to(principal: Principal, dialect: str) -> ColumnElement[bool]:
    """Which home-working requests the caller may see (read one or list): staff every one;
    a data owner those touching their datasets; a researcher those they submitted or are
    named on. Anyone else none."""
    if principal.has("support", "ops"):
        return true()
    seen: list[ColumnElement[bool]] = []
    if principal.has("data_owner") and principal.org:
        seen.append(
            _json_holds(
                HomeWorkingRequest.dataset_owners, principal.org, dialect, object_values=True
            )
        )
    if principal.has("researcher") and principal.researcher_id is not None:
        seen.append(HomeWorkingRequest.submitted_by == principal.researcher_id)
        seen.append(
            _json_holds(HomeWorkingRequest.researcher_ids, principal.researcher_id, dialect)
        )
    return or_(false(), *seen)


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def get_request(
    session: AsyncSession, principal: Principal, request_id: str
) -> HomeWorkingRequest:
    """The request if the caller may see it (:func:`request_visible_to`); 404 otherwise."""
    query = select(HomeWorkingRequest).where(
        HomeWorkingRequest.id == request_id,
        request_visible_to(principal, _dialect(session)),
    )
    request = (await session.execute(query)).scalar_one_or_none()
    if request is None:
        raise NotFound(f"no home-working request {request_id}")
    return request


async def list_requests(
    session: AsyncSession, principal: Principal, *, status: str | None
) -> list[HomeWorkingRequest]:
    query = (
        select(HomeWorkingRequest)
        .where(request_visible_to(principal, _dialect(session)))
        .order_by(HomeWorkingRequest.submitted_at)
    )
    if status is not None:
        query = query.where(HomeWorkingRequest.status == status)
    return list((await session.execute(query)).scalars())


async def _audit(
    session: AsyncSession,
    principal: Principal,
    request: HomeWorkingRequest,
    action: str,
    outcome: str,
    **detail: object,
) -> None:
    await audit_log.append(
        session,
        actor=principal.sub,
        action=action,
        outcome=outcome,
        researcher_id=request.submitted_by,
        project_id=None,
        occurred_at=utcnow(),
        detail={
            "request_id": request.id,
            "projects": request.project_ids,
            "researchers": request.researcher_ids,
            **detail,
        },
    )


async def _approve_if_complete(
    session: AsyncSession, principal: Principal, request: HomeWorkingRequest
) -> None:
    if not home_working_fully_approved(
        request.staff_approved_by, request.dataset_owners, request.owner_approvals
    ):
        return
    await _require_current_agreement(session, request.organisation_id)
    request.status, request.decided_at = "approved", utcnow()
    for researcher_id in request.researcher_ids:
        for project_id in request.project_ids:
            grant = await session.get(HomeWorkingGrant, (researcher_id, project_id))
            if grant is None:
                session.add(
                    HomeWorkingGrant(
                        researcher_id=researcher_id, project_id=project_id, request_id=request.id
                    )
                )
            else:
                grant.request_id = request.id
    await session.flush()
    await publish(
        session,
        HomeWorkingApproved(
            request_id=request.id,
            organisation_id=request.organisation_id,
            researcher_ids=request.researcher_ids,
            project_ids=request.project_ids,
            occurred_at=request.decided_at,
        ),
        subject=request.id,
    )
    await _audit(session, principal, request, "home_working_approved", "allow")


async def staff_approve(
    session: AsyncSession, principal: Principal, request_id: str
) -> HomeWorkingRequest:
    """Service staff approve; the request is approved once every data owner has too."""
    request = await get_request(session, principal, request_id)
    check_home_working_transition(request.status, HomeWorkingAction.APPROVE)
    if request.staff_approved_by is not None:
        raise Conflict("service staff have already approved this request")
    request.staff_approved_by = principal.sub
    await _approve_if_complete(session, principal, request)
    return request


async def owner_approve(
    session: AsyncSession, principal: Principal, request_id: str
) -> HomeWorkingRequest:
    """A data owner (its ``org`` claim names the owner, as in the catalogue) approves
    for every dataset of theirs in the request's projects."""
    request = await get_request(session, principal, request_id)
    check_home_working_transition(request.status, HomeWorkingAction.APPROVE)
    theirs = [d for d, owner in request.dataset_owners.items() if owner == principal.org]
    if all(d in request.owner_approvals for d in theirs):
        raise Conflict("you have already approved this request")
    request.owner_approvals = {**request.owner_approvals, **{d: principal.sub for d in theirs}}
    await _approve_if_complete(session, principal, request)
    return request


async def refuse(
    session: AsyncSession, principal: Principal, request_id: str, reason: str
) -> HomeWorkingRequest:
    """Service staff or a data owner of the request refuse it, with the reason."""
    request = await get_request(session, principal, request_id)
    check_home_working_transition(request.status, HomeWorkingAction.REFUSE)
    request.status, request.reason, request.decided_at = "refused", reason, utcnow()
    await session.flush()
    await publish(
        session,
        HomeWorkingRefused(
            request_id=request.id,
            organisation_id=request.organisation_id,
            researcher_ids=request.researcher_ids,
            reason=reason,
            occurred_at=request.decided_at,
        ),
        subject=request.id,
    )
    await _audit(session, principal, request, "home_working_refused", "deny", reason=reason)
    return request


async def revoke(
    session: AsyncSession, principal: Principal, request_id: str, reason: str
) -> HomeWorkingRequest:
    """Service staff withdraw an approval: home access stops at the next decision."""
    request = await get_request(session, principal, request_id)
    if request.status != "approved":
        raise IllegalTransition("home-working request", request.status, "revoke")
    request.status, request.reason = "revoked", reason
    await session.execute(delete(HomeWorkingGrant).where(HomeWorkingGrant.request_id == request.id))
    await session.flush()
    await publish(
        session,
        HomeWorkingRevoked(
            request_id=request.id,
            organisation_id=request.organisation_id,
            researcher_ids=request.researcher_ids,
            reason=reason,
            occurred_at=utcnow(),
        ),
        subject=request.id,
    )
    await _audit(session, principal, request, "home_working_revoked", "deny", reason=reason)
    return request


async def sign_syops(
    session: AsyncSession, principal: Principal, request_id: str
) -> HomeWorkingRequest:
    """A named researcher signs the extended security operating procedures (once)."""
    request = await get_request(session, principal, request_id)
    if principal.researcher_id not in request.researcher_ids:
        raise NotFound(f"no home-working request {request_id}")
    if request.status != "approved":
        raise IllegalTransition("home-working request", request.status, "sign for")
    grants = list(
        (
            await session.execute(
                select(HomeWorkingGrant).where(
                    HomeWorkingGrant.request_id == request.id,
                    HomeWorkingGrant.researcher_id == principal.researcher_id,
                )
            )
        ).scalars()
    )
    if grants and all(g.syops_signed_at is not None for g in grants):
        raise Conflict("you have already signed the extended SyOps for this request")
    now = utcnow()
    for grant in grants:
        grant.syops_signed_at = now
    await session.flush()
    return request


async def signatures(session: AsyncSession, request_id: str) -> dict[str, bool]:
    rows = (
        await session.execute(
            select(HomeWorkingGrant).where(HomeWorkingGrant.request_id == request_id)
        )
    ).scalars()
    signed: dict[str, bool] = {}
    for grant in rows:
        signed[grant.researcher_id] = signed.get(grant.researcher_id, True) and (
            grant.syops_signed_at is not None
        )
    return signed
