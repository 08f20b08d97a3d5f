"""Notices about dataset requirements (the LS supplementary form): the dataset's team is
asked to decide a submitted form; the lead learns it was accepted or returned."""

from __future__ import annotations

from typing import Any

from srs_common.contracts import requirements
from srs_notify.domain.contexts import Plan, one, project_context
from srs_notify.domain.recipients import Known, PlannedNotice, data_owner_mailbox


def _context(p: Any) -> dict[str, Any]:
    return {
        **project_context(p.project_id, p.project_title),
        "requirement_id": p.requirement_id,
        "requirement_name": p.name,
        "dataset_title": p.dataset_title,
    }


def _plan_submitted(p: Any, _k: Known) -> list[PlannedNotice]:
    # The team that accepts the form: the data-owner mailbox its `accepted_by` names.
    return one(
        "dataset_requirement_to_decide",
        data_owner_mailbox(p.accepted_by),
        p.project_id,
        **_context(p),
    )


def _plan_accepted(p: Any, _k: Known) -> list[PlannedNotice]:
    return one("dataset_requirement_accepted", p.lead_researcher_id, p.project_id, **_context(p))


def _plan_returned(p: Any, _k: Known) -> list[PlannedNotice]:
    return one(
        "dataset_requirement_returned",
        p.lead_researcher_id,
        p.project_id,
        **_context(p),
        reason=p.reason,
    )


PLANS: dict[str, Plan] = {
    requirements.DatasetRequirementSubmitted.type: _plan_submitted,
    requirements.DatasetRequirementAccepted.type: _plan_accepted,
    requirements.DatasetRequirementReturned.type: _plan_returned,
}
