"""Linkage events published by the projects service on ``srs.projects``: the SRS team's
IDBR matching task for a project and requests for new linked datasets.

Kept beside ``projects`` (same topic, same publisher) so neither module outgrows a page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal

from srs_common.contracts.base import Contract
from srs_common.contracts.projects import TOPIC

_WHEN = "2026-11-25T10:00:00Z"
_TASK = {
    "task_id": "lnk_01JA0C5T2W",
    "project_id": "prj_01J9Z8Q4V6",
    "organisation_id": "org-ntu",
    "lead_researcher_id": "res-alice",
    "method": "crn",
    "occurred_at": _WHEN,
}


class LinkageTaskCompleted(Contract):
    """The SRS team finished a project's IDBR matching: the de-identified linked extract
    is ready to be mapped into the project space (access does it) and the lead is told
    how many businesses matched."""

    type: ClassVar[str] = "srs.linkage_task.completed.v1"
    topic: ClassVar[str] = TOPIC

    task_id: str
    project_id: str
    organisation_id: str
    lead_researcher_id: str
    method: Literal["crn", "names_addresses"]
    extract_id: str
    extract_title: str
    matched_count: int
    unmatched_count: int
    note: str | None = None
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        **_TASK,
        "extract_id": "idbr-lnk_01JA0C5T2W",
        "extract_title": "IDBR linked extract (CRN matching)",
        "matched_count": 412,
        "unmatched_count": 9,
        "note": "Nine numbers belong to dissolved companies.",
    }


class LinkageTaskFailed(Contract):
    """The SRS team could not carry out a project's IDBR matching, with the reason."""

    type: ClassVar[str] = "srs.linkage_task.failed.v1"
    topic: ClassVar[str] = TOPIC

    task_id: str
    project_id: str
    organisation_id: str
    lead_researcher_id: str
    method: Literal["crn", "names_addresses"]
    reason: str
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        **_TASK,
        "reason": "The CRN list names no business held on the IDBR.",
    }


class LinkedDatasetDecided(Contract):
    """Support decided a request for a new linked dataset. When ``outcome`` is
    ``agreed`` the de-identified linked dataset joins the access catalogue under
    ``dataset_id`` for every project to ask for; ``declined`` carries the reasons."""

    type: ClassVar[str] = "srs.linked_dataset.decided.v1"
    topic: ClassVar[str] = TOPIC

    request_id: str
    requested_by: str
    project_id: str | None = None
    outcome: Literal["agreed", "declined"]
    reasons: str
    dataset_id: str | None = None
    title: str
    source_dataset_ids: list[str]
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        "request_id": "ldr_01JA0D1F7K",
        "requested_by": "res-alice",
        "project_id": None,
        "outcome": "agreed",
        "reasons": "Strong need across projects; every owner supports it.",
        "dataset_id": "ds-linked-ashe-census-2021",
        "title": "ASHE 2021 linked to Census 2021",
        "source_dataset_ids": ["ds-ashe-2021", "ds-census-2021"],
        "occurred_at": _WHEN,
    }
