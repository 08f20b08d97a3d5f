"""Access decisions: the hot path, called at every session start.

One read with SQLAlchemy Core (a statement of primary-key scalar subqueries, outside any
transaction), the pure rules of ``domain.deny_reasons``, then one outbox row and one
audit entry (chained later by the sealer, so decisions never wait for each other). No ORM
objects, no joins across the world.

The writes are group-committed: decisions arriving while a commit is in flight are
written together in the next transaction (:class:`DecisionRecorder`), and each caller
answers only once its own rows are committed. Every decision is still durably audited
and published before it is answered, but a burst costs one commit, not one per request.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Select, and_, bindparam, exists, func, insert, select

from srs_access.domain import DecisionFacts, deny_reasons
from srs_access.models import (
    AccreditationView,
    BookingView,
    Dataset,
    HomeWorkingGrant,
    Organisation,
    ProjectDataset,
    ProjectMemberView,
    ProjectView,
    ResearcherView,
    audit_log,
)
from srs_access.spaces import BEST_ACCREDITATION_FIRST
from srs_common.contracts.access import AccessDenied, AccessGranted, Setting
from srs_common.db import Database, utcnow
from srs_common.events.outbox import OUTBOX_WRITTEN
from srs_common.ids import new_id
from srs_common.observability import current_correlation_id
from srs_common.tracing import current_context

ACC = AccreditationView.__table__
MEMBER = ProjectMemberView.__table__
PROJECT = ProjectView.__table__
ORG = Organisation.__table__
GRANT = HomeWorkingGrant.__table__
BOOKING = BookingView.__table__
DATASET = Dataset.__table__
PROJECT_DATASET = ProjectDataset.__table__
RESEARCHER = ResearcherView.__table__


@dataclass(frozen=True)
class Decision:
    decision_id: str
    allowed: bool
    reasons: list[str]
    decided_at: dt.datetime
    audit_entry_id: int
    organisation_id: str | None


def _facts_statement() -> Select[Any]:
    """One round trip: each fact a scalar subquery on a primary key (or, for bookings and
    the project's datasets, a short indexed range). Built once; values are bound per call."""
    researcher_id: BindParameter[str] = bindparam("researcher_id")
    project_id: BindParameter[str] = bindparam("project_id")

    def one(column: Any, *where: Any) -> Any:
        return select(column).where(*where).scalar_subquery()

    # The organisation is the researcher's own, from their record: never the caller's say.
    organisation_id = one(RESEARCHER.c.organisation_id, RESEARCHER.c.researcher_id == researcher_id)

    def best_accreditation(column: Any) -> Any:
        # The researcher may hold several accreditations: judge them by their best.
        return (
            select(column)
            .where(ACC.c.researcher_id == researcher_id)
            .order_by(*BEST_ACCREDITATION_FIRST)
            .limit(1)
            .scalar_subquery()
        )

    member_key = and_(MEMBER.c.project_id == project_id, MEMBER.c.researcher_id == researcher_id)
    project_key = PROJECT.c.project_id == project_id
    org_key = ORG.c.id == organisation_id
    grant_key = and_(GRANT.c.researcher_id == researcher_id, GRANT.c.project_id == project_id)
    project_datasets = PROJECT_DATASET.outerjoin(
        DATASET, DATASET.c.id == PROJECT_DATASET.c.dataset_id
    )
    datasets_key = PROJECT_DATASET.c.project_id == project_id
    booking_now = exists().where(
        BOOKING.c.researcher_id == researcher_id,
        BOOKING.c.project_id == project_id,
        BOOKING.c.site_id == bindparam("site_id"),
        BOOKING.c.status.in_(("confirmed", "attended")),
        BOOKING.c.starts_at <= bindparam("now"),
        BOOKING.c.ends_at > bindparam("now"),
    )
    return select(
        best_accreditation(ACC.c.status).label("acc_status"),
        best_accreditation(ACC.c.valid_until).label("acc_valid_until"),
        organisation_id.label("organisation_id"),
        one(MEMBER.c.status, member_key).label("member_status"),
        one(MEMBER.c.role, member_key).label("member_role"),
        one(PROJECT.c.status, project_key).label("project_status"),
        select(func.min(DATASET.c.access_level))
        .select_from(project_datasets)
        .where(datasets_key)
        .scalar_subquery()
        .label("lowest_level"),
        select(func.count() - func.count(DATASET.c.id))
        .select_from(project_datasets)
        .where(datasets_key)
        .scalar_subquery()
        .label("uncatalogued"),
        one(ORG.c.aoc_certified_until, org_key).label("aoc_until"),
        one(ORG.c.legacy_remote_access, org_key).label("legacy"),
        one(func.count(), grant_key).label("grants"),
        one(GRANT.c.syops_signed_at, grant_key).label("syops_signed_at"),
        booking_now.label("booking_now"),
    )


FACTS = _facts_statement()


AUDIT = audit_log.entries
_APPEND_AUDIT = insert(AUDIT).returning(AUDIT.c.id, sort_by_parameter_order=True)
_MAX_BATCH = 500


class DecisionRecorder:
    """Group commit of decisions' audit entries and outbox rows.

    :meth:`record` queues a decision's rows and waits until they are committed. One
    writer task at a time commits everything queued so far in one transaction; what
    arrives meanwhile waits for the next one. A failed commit fails exactly the
    decisions in it (nothing of them is written), and the next batch tries afresh.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._outbox = db.messaging.outbox
        self._append_outbox = insert(self._outbox)
        self._pending: list[tuple[dict[str, Any], dict[str, Any], asyncio.Future[int]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, audit: dict[str, Any], outbox: dict[str, Any]) -> int:
        """Queue one decision's audit entry and outbox row; its audit entry id once both
        are committed."""
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pending.append((audit, outbox, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write(), name="decision-writer")
        return await done

    async def _write(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:_MAX_BATCH], self._pending[_MAX_BATCH:]
            try:
                async with self.db.transaction() as session:
                    ids = (
                        (await session.execute(_APPEND_AUDIT, [audit for audit, _, _ in batch]))
                        .scalars()
                        .all()
                    )
                    await session.execute(self._append_outbox, [outbox for _, outbox, _ in batch])
                    session.info[OUTBOX_WRITTEN] = True
            except Exception as exc:  # noqa: BLE001 - handed to every waiting decision
                for _, _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for (_, _, done), entry_id in zip(batch, ids, strict=True):
                if not done.done():
                    done.set_result(int(entry_id))


async def read_facts(db: Database, params: dict[str, Any]) -> Any:
    """The facts row, read in a hot-read session (``Database.reader``): outside a
    transaction on PostgreSQL (one round trip)."""
    async with db.reader() as session:
        return (await session.execute(FACTS, params)).one()


async def decide_access(
    recorder: DecisionRecorder,
    *,
    actor: str,
    researcher_id: str,
    project_id: str,
    setting: Setting,
    country: str,
    site_id: str | None,
) -> Decision:
    """Allow or deny a session start with every reason that applies; the audit entry and
    ``access.granted`` or ``access.denied`` are committed together before it returns.
    The organisation whose connection counts is the one on the researcher's record."""
    now = utcnow()
    traceparent, tracestate = current_context()
    row = await read_facts(
        recorder.db,
        {
            "researcher_id": researcher_id,
            "project_id": project_id,
            "site_id": site_id or "",
            "now": now,
        },
    )
    organisation_id = row.organisation_id
    dataset_levels: list[int | None] = [] if row.lowest_level is None else [row.lowest_level]
    dataset_levels += [None] * (row.uncatalogued or 0)
    facts = DecisionFacts(
        setting=setting,
        country=country,
        today=now.date(),
        accreditation_status=row.acc_status,
        accreditation_valid_until=row.acc_valid_until,
        member_status=row.member_status,
        member_role=row.member_role,
        project_status=row.project_status,
        dataset_levels=dataset_levels,
        has_booking_now=bool(row.booking_now),
        aoc_certified_until=row.aoc_until,
        legacy_remote_access=bool(row.legacy),
        home_working_granted=bool(row.grants),
        syops_signed=row.syops_signed_at is not None,
    )
    reasons = deny_reasons(facts)
    decision_id = new_id("dec")
    contract = AccessDenied if reasons else AccessGranted
    event = contract(
        decision_id=decision_id,
        researcher_id=researcher_id,
        project_id=project_id,
        setting=setting,
        country=country,
        reasons=reasons,
        occurred_at=now,
    )
    entry_id = await recorder.record(
        {
            "occurred_at": now,
            "actor": actor,
            "action": "access_decision",
            "outcome": "deny" if reasons else "allow",
            "researcher_id": researcher_id,
            "project_id": project_id,
            "detail": {
                "decision_id": decision_id,
                "setting": setting,
                "country": country,
                "organisation_id": organisation_id,
                "site_id": site_id,
                "reasons": reasons,
            },
        },
        {
            "event_id": str(uuid.uuid4()),
            "topic": event.topic,
            "key": researcher_id,
            "type": event.type,
            "source": f"/srs/{recorder.db.service}",
            "subject": researcher_id,
            "correlation_id": current_correlation_id(),
            # The request's trace, as srs_common.events.outbox.publish keeps it.
            "traceparent": traceparent,
            "tracestate": tracestate,
            "payload": event.model_dump_json(),
            "created_at": now,
        },
    )
    return Decision(decision_id, not reasons, reasons, now, entry_id, organisation_id)
