"""One event's notices: the plan for its type, given what the read models know."""

from __future__ import annotations

from srs_common.contracts.base import Contract
from srs_notify.domain import (
    access_notices,
    accreditation_notices,
    booking_notices,
    helpdesk_notices,
    ingestion_notices,
    linkage_notices,
    output_notices,
    project_notices,
    requirement_notices,
)
from srs_notify.domain.contexts import Plan
from srs_notify.domain.recipients import Known, PlannedNotice

_PLANS: dict[str, Plan] = {
    **accreditation_notices.PLANS,
    **project_notices.PLANS,
    **booking_notices.PLANS,
    **output_notices.PLANS,
    **access_notices.PLANS,
    **linkage_notices.PLANS,
    **requirement_notices.PLANS,
    **helpdesk_notices.PLANS,
    **ingestion_notices.PLANS,
}


def plan_notices(
    payload: Contract, project_title: str | None = None, *, known: Known | None = None
) -> list[PlannedNotice]:
    """The e-mails one event calls for, one per recipient (none for a type we don't mail)."""
    plan = _PLANS.get(payload.type)
    if plan is None:
        return []
    return plan(payload, known or Known(project_title=project_title))
