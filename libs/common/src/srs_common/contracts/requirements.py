"""Dataset-requirement events published by the projects service on ``srs.projects``: a
project's supplementary form for a dataset (the Longitudinal Study's, say) submitted by
its lead, then accepted or returned by the dataset's team.

Kept beside ``projects`` (same topic, same publisher) so neither module outgrows a page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from pydantic import Field

from srs_common.contracts.base import NOT_PERSONAL, Contract
from srs_common.contracts.projects import TOPIC

_WHEN = "2026-11-25T10:00:00Z"
_REQUIREMENT = {
    "requirement_id": "req_01JA0D7K3M",
    "project_id": "prj_01J9Z8Q4V6",
    "project_title": "Social mobility across four censuses",
    "organisation_id": "org-ntu",
    "lead_researcher_id": "res-alice",
    "dataset_id": "ds-ons-ls",
    "dataset_title": "ONS Longitudinal Study",
    "name": "LS supplementary form",
    "accepted_by": "ONS",
    "occurred_at": _WHEN,
}


class _RequirementEvent(Contract):
    requirement_id: str
    project_id: str
    project_title: str
    organisation_id: str
    lead_researcher_id: str
    dataset_id: str
    dataset_title: str
    # What the requirement is called (a form's name, never a person's), and the data-owner
    # organisation that accepts it.
    name: str = Field(json_schema_extra=NOT_PERSONAL)
    accepted_by: str
    occurred_at: dt.datetime


class DatasetRequirementSubmitted(_RequirementEvent):
    """The lead completed a dataset's supplementary form: the dataset's team
    (``accepted_by``) is asked to accept or return it."""

    type: ClassVar[str] = "srs.dataset_requirement.submitted.v1"
    topic: ClassVar[str] = TOPIC

    example: ClassVar[dict[str, Any]] = dict(_REQUIREMENT)


class DatasetRequirementAccepted(_RequirementEvent):
    """The dataset's team (or support) accepted the form: it no longer holds the panel's
    approval back."""

    type: ClassVar[str] = "srs.dataset_requirement.accepted.v1"
    topic: ClassVar[str] = TOPIC

    example: ClassVar[dict[str, Any]] = dict(_REQUIREMENT)


class DatasetRequirementReturned(_RequirementEvent):
    """The dataset's team (or support) returned the form to the lead with a reason; the
    lead corrects and submits it again."""

    type: ClassVar[str] = "srs.dataset_requirement.returned.v1"
    topic: ClassVar[str] = TOPIC

    reason: str

    example: ClassVar[dict[str, Any]] = {
        **_REQUIREMENT,
        "reason": "Say which census years you need.",
    }
