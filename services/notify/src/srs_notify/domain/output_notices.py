"""Notices about output requests: to the requester, and new requests to the checkers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from srs_common.contracts import clearance
from srs_notify.domain.contexts import Plan, iso, one, output_context
from srs_notify.domain.recipients import CHECKERS, Known, PlannedNotice


def _output_plan(
    notice: str, **extra: Callable[[Any], Any]
) -> Callable[[Any, Known], list[PlannedNotice]]:
    def plan(p: Any, k: Known) -> list[PlannedNotice]:
        values = {name: get(p) for name, get in extra.items()}
        return one(
            notice, p.requester_id, p.output_id, **output_context(p, k.project_title), **values
        )

    return plan


def _plan_output_submitted(p: Any, k: Known) -> list[PlannedNotice]:
    return one(
        "output_request_to_check",
        CHECKERS,
        p.output_id,
        **output_context(p, k.project_title),
        due_at=iso(p.due_at) if p.due_at else None,
        priority=p.priority,
    )


PLANS: dict[str, Plan] = {
    clearance.OutputSubmitted.type: _plan_output_submitted,
    clearance.OutputChecked.type: _output_plan(
        "output_checked", automatic_status=lambda p: p.automatic_status
    ),
    clearance.OutputClarificationRequested.type: _output_plan("output_clarification_requested"),
    clearance.OutputApproved.type: _output_plan("output_approved"),
    # The rejection reason is about the output's contents: read in the service, not e-mailed.
    clearance.OutputRejected.type: _output_plan("output_rejected"),
    clearance.OutputDestructionRequired.type: _output_plan(
        "output_destruction_required", deadline=lambda p: iso(p.deadline)
    ),
    clearance.OutputOverdue.type: _output_plan("output_overdue", due_at=lambda p: iso(p.due_at)),
}
