"""Requests for new linked datasets: a researcher asks ONS to link datasets into a new
de-identified dataset of wider benefit; support assesses the four factors (user need,
the support of every data owner, feasibility, ONS resource) and agrees or declines.
An agreed dataset is published for access to add to the catalogue, where every project
can ask for it. Each step is in the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.auth import Principal
from srs_common.contracts.linkage import LinkedDatasetDecided
from srs_common.errors import NotFound, RuleViolation
from srs_common.events.outbox import publish
from srs_common.ids import new_id
from srs_common.pagination import Page, keyset_page
from srs_projects.linkage import rules
from srs_projects.linkage.rules import RequestAction, RequestOutcome, RequestState
from srs_projects.linkage.schemas import (
    Assessment,
    LinkedDatasetRequestCreate,
    LinkedDatasetRequestRead,
    Outcome,
)
from srs_projects.models import (
    CataloguedDataset,
    LinkedDatasetRequest,
    ResearcherOrganisation,
    audit_log,
)
from srs_projects.visibility import led_project

SUBJECT = "linked_dataset_request"


def request_visible_to(principal: Principal) -> ColumnElement[bool]:
    """Support sees every request; a researcher the ones they made."""
    if principal.has("support"):
        return true()
    if principal.has("researcher"):
        return LinkedDatasetRequest.requested_by == principal.actor_id
    return false()


async def _audit(
    session: AsyncSession, request: LinkedDatasetRequest, action: str, actor: str,
    at: dt.datetime, **detail: Any,
) -> None:  # fmt: skip
    await audit_log.append(
        session,
        actor=actor,
        action=f"{SUBJECT}.{action}",
        outcome=action,
        occurred_at=at,
        subject=(SUBJECT, request.id),
        researcher_id=request.requested_by,
        project_id=request.project_id,
        detail=detail,
    )


async def _catalogue(session: AsyncSession, ids: list[str]) -> dict[str, CataloguedDataset]:
    rows = await session.execute(select(CataloguedDataset).where(CataloguedDataset.id.in_(ids)))
    return {d.id: d for d in rows.scalars()}


async def data_owners(session: AsyncSession, dataset_ids: list[str]) -> list[str]:
    """The owners of the source datasets, once each, in the datasets' order."""
    known = await _catalogue(session, dataset_ids)
    return list(dict.fromkeys(known[d].owner for d in dataset_ids if d in known))


async def create(
    session: AsyncSession, principal: Principal, data: LinkedDatasetRequestCreate,
    now: dt.datetime,
) -> LinkedDatasetRequest:  # fmt: skip
    """A researcher asks for a new linked dataset (optionally for a project they lead)."""
    if data.project_id is not None:
        await led_project(session, principal, data.project_id)
    sources = list(data.source_dataset_ids)
    if len(set(sources)) != len(sources):
        raise RuleViolation("name each source dataset once", rule="dataset_named_twice")
    unknown = [d for d in sources if d not in await _catalogue(session, sources)]
    if unknown:
        raise RuleViolation(
            f"not in the dataset catalogue: {', '.join(unknown)}",
            rule="unknown_dataset",
            dataset_ids=unknown,
        )
    request = LinkedDatasetRequest(
        id=new_id("ldr"),
        requested_by=principal.actor_id,
        project_id=data.project_id,
        title=data.title,
        source_dataset_ids=sources,
        purpose=data.purpose,
        wider_benefit=data.wider_benefit,
        status=RequestState.REQUESTED,
        created_at=now,
    )
    session.add(request)
    await _audit(session, request, "requested", principal.actor_id, now, title=data.title)
    await session.flush()
    return request


async def _locked(
    session: AsyncSession, principal: Principal, request_id: str
) -> LinkedDatasetRequest:
    stmt = select(LinkedDatasetRequest).where(
        LinkedDatasetRequest.id == request_id, request_visible_to(principal)
    )
    request = (await session.execute(stmt.with_for_update())).scalar_one_or_none()
    if request is None:
        raise NotFound(f"linked dataset request {request_id} not found")
    return request


async def assess(
    session: AsyncSession, principal: Principal, request_id: str, assessment: Assessment,
    now: dt.datetime,
) -> LinkedDatasetRequest:  # fmt: skip
    """Support records (or revises) the four factors: one answer per data owner."""
    request = await _locked(session, principal, request_id)
    request.status = rules.request_transition(request.status, RequestAction.ASSESS)
    owners = await data_owners(session, request.source_dataset_ids)
    rules.check_owner_answers([a.owner for a in assessment.owner_support], owners)
    request.assessment = assessment.model_dump(mode="json")
    request.assessed_by, request.assessed_at = principal.actor_id, now
    await _audit(session, request, "assessed", principal.actor_id, now, **request.assessment)
    await session.flush()
    return request


async def decide(
    session: AsyncSession, principal: Principal, request_id: str, outcome: Outcome,
    now: dt.datetime,
) -> LinkedDatasetRequest:  # fmt: skip
    """Support agrees (the four factors assessed and met) or declines, with reasons."""
    request = await _locked(session, principal, request_id)
    if outcome.outcome == RequestOutcome.AGREED:
        request.status = rules.request_transition(request.status, RequestAction.AGREE)
        assert request.assessment is not None  # under assessment means assessed
        rules.check_agreeable(request.assessment)
        if outcome.dataset_id is None:
            raise RuleViolation(
                "name the catalogue id (dataset_id) of the new linked dataset",
                rule="dataset_id_required",
            )
        request.dataset_id = outcome.dataset_id
    else:
        request.status = rules.request_transition(request.status, RequestAction.DECLINE)
    request.reasons = outcome.reasons
    request.decided_by, request.decided_at = principal.actor_id, now
    await _audit(
        session, request, request.status, principal.actor_id, now, reason=outcome.reasons,
        dataset_id=request.dataset_id,
    )  # fmt: skip
    await publish(
        session,
        LinkedDatasetDecided(
            request_id=request.id,
            requested_by=request.requested_by,
            project_id=request.project_id,
            outcome=request.status,  # type: ignore[arg-type]
            reasons=outcome.reasons,
            dataset_id=request.dataset_id,
            title=request.title,
            source_dataset_ids=list(request.source_dataset_ids),
            occurred_at=now,
        ),
        subject=request.id,
    )
    await session.flush()
    return request


async def read(session: AsyncSession, request: LinkedDatasetRequest) -> LinkedDatasetRequestRead:
    """The request with its requester's name and its sources' titles and owners."""
    known = await _catalogue(session, request.source_dataset_ids)
    name = await session.scalar(
        select(ResearcherOrganisation.name).where(
            ResearcherOrganisation.researcher_id == request.requested_by
        )
    )
    return LinkedDatasetRequestRead.model_validate(request).model_copy(
        update={
            "requested_by_name": name,
            "source_titles": [
                known[d].title if d in known else d for d in request.source_dataset_ids
            ],
            "data_owners": list(
                dict.fromkeys(known[d].owner for d in request.source_dataset_ids if d in known)
            ),
        }
    )


async def read_one(
    session: AsyncSession, principal: Principal, request_id: str
) -> LinkedDatasetRequestRead:
    stmt = select(LinkedDatasetRequest).where(
        LinkedDatasetRequest.id == request_id, request_visible_to(principal)
    )
    request = (await session.execute(stmt)).scalar_one_or_none()
    if request is None:
        raise NotFound(f"linked dataset request {request_id} not found")
    return await read(session, request)


async def list_requests(
    session: AsyncSession, principal: Principal, *, status: RequestState | None, limit: int,
    cursor: str | None,
) -> Page[LinkedDatasetRequestRead]:  # fmt: skip
    """Oldest first, narrowed by status."""
    stmt = select(LinkedDatasetRequest).where(request_visible_to(principal))
    if status is not None:
        stmt = stmt.where(LinkedDatasetRequest.status == status)
    page = await keyset_page(
        session,
        stmt,
        [LinkedDatasetRequest.created_at, LinkedDatasetRequest.id],
        cursor=cursor,
        limit=limit,
    )
    return Page[LinkedDatasetRequestRead](
        items=[await read(session, r) for r in page.items], next=page.next
    )


async def record_dataset(
    session: AsyncSession, dataset_id: str, title: str, owner: str, at: dt.datetime
) -> None:
    """The catalogue read model follows ``dataset.catalogued`` (a late event loses)."""
    row = await session.get(CataloguedDataset, dataset_id)
    if row is None:
        session.add(CataloguedDataset(id=dataset_id, title=title, owner=owner, as_of=at))
    elif at >= row.as_of:
        row.title, row.owner, row.as_of = title, owner, at
    await session.flush()
