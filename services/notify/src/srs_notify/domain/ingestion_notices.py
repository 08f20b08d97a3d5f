"""Notices about data and code ingestion: the researcher who asked learns that the SRS
team refused the request (with the reason) or transferred the files into the space."""

from __future__ import annotations

from typing import Any

from srs_common.contracts import ingestion
from srs_notify.domain.contexts import Plan, one, project_context
from srs_notify.domain.recipients import Known, PlannedNotice


def _plan_refused(p: Any, k: Known) -> list[PlannedNotice]:
    return one(
        "ingestion_refused",
        p.researcher_id,
        p.request_id,
        **project_context(p.project_id, k.project_title),
        request_id=p.request_id,
        reason=p.reason,
    )


def _plan_transferred(p: Any, k: Known) -> list[PlannedNotice]:
    return one(
        "ingestion_transferred",
        p.researcher_id,
        p.request_id,
        **project_context(p.project_id, k.project_title),
        request_id=p.request_id,
        files=list(p.files),
        location=p.location,
    )


PLANS: dict[str, Plan] = {
    ingestion.IngestionRefused.type: _plan_refused,
    ingestion.IngestionTransferred.type: _plan_transferred,
}
