"""Access decisions: the hot path, called at every session start.

One read with SQLAlchemy Core (a statement of primary-key scalar subqueries), the pure
rules of ``domain.deny_reasons``, one outbox row
and one audit entry (chained later by the sealer, so decisions never wait for each
other). No ORM objects, no joins across the world.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, bindparam, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.contracts.access import AccessDenied, AccessGranted
from srs_common.db import utcnow
from srs_common.events.outbox import publish
from srs_common.ids import new_id
from srs_access.audit import append_audit
from srs_access.domain import DecisionFacts, deny_reasons
from srs_access.models import (AccreditationView, BookingView, Dataset, HomeWorkingGrant,
                               Organisation, ProjectDataset, ProjectMemberView, ProjectView)

ACC = AccreditationView.__table__
MEMBER = ProjectMemberView.__table__
PROJECT = ProjectView.__table__
ORG = Organisation.__table__
GRANT = HomeWorkingGrant.__table__
BOOKING = BookingView.__table__
DATASET = Dataset.__table__
PROJECT_DATASET = ProjectDataset.__table__


@dataclass(frozen=True)
class Decision:
    decision_id: str
    allowed: bool
    reasons: list[str]
    decided_at: dt.datetime
    audit_entry_id: int


def _facts_statement() -> Select:
    """One round trip: each fact a scalar subquery on a primary key (or, for bookings and
    the project's datasets, a short indexed range). Built once; values are bound per call."""
    researcher_id, project_id = bindparam("researcher_id"), bindparam("project_id")
    organisation_id = bindparam("organisation_id")

    def one(column: Any, *where: Any) -> Any:
        return select(column).where(*where).scalar_subquery()

    acc_key = ACC.c.researcher_id == researcher_id
    member_key = and_(MEMBER.c.project_id == project_id, MEMBER.c.researcher_id == researcher_id)
    project_key = PROJECT.c.project_id == project_id
    org_key = ORG.c.id == organisation_id
    grant_key = and_(GRANT.c.researcher_id == researcher_id, GRANT.c.project_id == project_id)
    project_datasets = PROJECT_DATASET.outerjoin(DATASET,
                                                 DATASET.c.id == PROJECT_DATASET.c.dataset_id)
    datasets_key = PROJECT_DATASET.c.project_id == project_id
    booking_now = exists().where(
        BOOKING.c.researcher_id == researcher_id, BOOKING.c.project_id == project_id,
        BOOKING.c.site_id == bindparam("site_id"),
        BOOKING.c.status.in_(("confirmed", "attended")),
        BOOKING.c.starts_at <= bindparam("now"), BOOKING.c.ends_at > bindparam("now"))
    return select(
        one(ACC.c.status, acc_key).label("acc_status"),
        one(ACC.c.valid_until, acc_key).label("acc_valid_until"),
        one(MEMBER.c.status, member_key).label("member_status"),
        one(MEMBER.c.role, member_key).label("member_role"),
        one(PROJECT.c.status, project_key).label("project_status"),
        select(func.min(DATASET.c.access_level)).select_from(project_datasets)
        .where(datasets_key).scalar_subquery().label("lowest_level"),
        select(func.count() - func.count(DATASET.c.id)).select_from(project_datasets)
        .where(datasets_key).scalar_subquery().label("uncatalogued"),
        one(ORG.c.aoc_certified_until, org_key).label("aoc_until"),
        one(ORG.c.legacy_remote_access, org_key).label("legacy"),
        one(func.count(), grant_key).label("grants"),
        one(GRANT.c.syops_signed_at, grant_key).label("syops_signed_at"),
        booking_now.label("booking_now"),
    )


FACTS = _facts_statement()


async def decide_access(session: AsyncSession, *, actor: str, researcher_id: str,
                        project_id: str, setting: str, country: str, organisation_id: str,
                        site_id: str | None) -> Decision:
    """Allow or deny a session start with every reason that applies; write the audit
    entry and publish ``access.granted`` or ``access.denied`` in the same transaction."""
    now = utcnow()
    row = (await session.execute(FACTS, {
        "researcher_id": researcher_id, "project_id": project_id,
        "organisation_id": organisation_id, "site_id": site_id or "", "now": now})).one()
    dataset_levels: list[int | None] = [] if row.lowest_level is None else [row.lowest_level]
    dataset_levels += [None] * (row.uncatalogued or 0)
    facts = DecisionFacts(
        setting=setting, country=country, today=now.date(),
        accreditation_status=row.acc_status, accreditation_valid_until=row.acc_valid_until,
        member_status=row.member_status, member_role=row.member_role,
        project_status=row.project_status,
        dataset_levels=dataset_levels,
        has_booking_now=bool(row.booking_now), aoc_certified_until=row.aoc_until,
        legacy_remote_access=bool(row.legacy), home_working_granted=bool(row.grants),
        syops_signed=row.syops_signed_at is not None)
    reasons = deny_reasons(facts)
    decision_id = new_id("dec")
    contract = AccessDenied if reasons else AccessGranted
    await publish(session, contract(
        decision_id=decision_id, researcher_id=researcher_id, project_id=project_id,
        setting=setting, country=country, reasons=reasons, occurred_at=now),
        subject=researcher_id)
    entry_id = await append_audit(
        session, actor=actor, action="access_decision", outcome="deny" if reasons else "allow",
        researcher_id=researcher_id, project_id=project_id, occurred_at=now,
        detail={"decision_id": decision_id, "setting": setting, "country": country,
                "organisation_id": organisation_id, "site_id": site_id, "reasons": reasons})
    return Decision(decision_id, not reasons, reasons, now, entry_id)
