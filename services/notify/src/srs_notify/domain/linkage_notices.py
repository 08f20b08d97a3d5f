"""Notices about linkage: the lead learns the outcome of the SRS team's IDBR matching for
their project, and a researcher the outcome of their linked dataset request."""

from __future__ import annotations

from typing import Any

from srs_common.contracts import linkage
from srs_notify.domain.contexts import Plan, one, project_context
from srs_notify.domain.recipients import Known, PlannedNotice


def _plan_task_completed(p: Any, k: Known) -> list[PlannedNotice]:
    return one(
        "linkage_task_completed",
        p.lead_researcher_id,
        p.project_id,
        **project_context(p.project_id, k.project_title),
        method=p.method,
        extract_title=p.extract_title,
        matched_count=p.matched_count,
        unmatched_count=p.unmatched_count,
        note=p.note,
    )


def _plan_task_failed(p: Any, k: Known) -> list[PlannedNotice]:
    return one(
        "linkage_task_failed",
        p.lead_researcher_id,
        p.project_id,
        **project_context(p.project_id, k.project_title),
        method=p.method,
        reason=p.reason,
    )


def _plan_linked_dataset_decided(p: Any, _k: Known) -> list[PlannedNotice]:
    return one(
        "linked_dataset_decided",
        p.requested_by,
        p.request_id,
        request_id=p.request_id,
        title=p.title,
        agreed=p.outcome == "agreed",
        reasons=p.reasons,
        dataset_id=p.dataset_id,
    )


PLANS: dict[str, Plan] = {
    linkage.LinkageTaskCompleted.type: _plan_task_completed,
    linkage.LinkageTaskFailed.type: _plan_task_failed,
    linkage.LinkedDatasetDecided.type: _plan_linked_dataset_decided,
}
