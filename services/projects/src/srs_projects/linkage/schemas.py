"""Request and response models of linkage: the IDBR task and linked dataset requests."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from srs_common.inputs import Input
from srs_projects.linkage.rules import (
    Feasibility,
    LinkageState,
    RequestOutcome,
    RequestState,
    UserNeed,
)

_TASK_EXAMPLE: dict[str, Any] = {
    "id": "lnk_01JA0C5T2W",
    "project_id": "prj_01J9Z8Q4V6",
    "project_title": "Business investment and productivity",
    "method": "crn",
    "crn_count": 421,
    "status": "completed",
    "created_at": "2026-11-25T10:00:00Z",
    "started_by": "support-1",
    "started_at": "2026-11-26T09:00:00Z",
    "finished_by": "support-1",
    "finished_at": "2026-11-27T15:00:00Z",
    "matched_count": 412,
    "unmatched_count": 9,
    "note": "Nine numbers belong to dissolved companies.",
    "failure_reason": None,
    "extract_id": "idbr-lnk_01JA0C5T2W",
}


class LinkageTaskRead(BaseModel):
    """The SRS team's IDBR matching for an approved project, and its outcome."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_TASK_EXAMPLE]})

    id: str
    project_id: str
    project_title: str = ""
    method: str = Field(description="`crn` (the SRS team) or `names_addresses` (the IDBR team)")
    crn_count: int
    status: LinkageState
    created_at: dt.datetime
    started_by: str | None
    started_at: dt.datetime | None
    finished_by: str | None
    finished_at: dt.datetime | None
    matched_count: int | None
    unmatched_count: int | None
    note: str | None
    failure_reason: str | None
    extract_id: str | None = Field(
        description="the de-identified linked extract mapped into the project space"
    )


class TaskOutcome(Input):
    """The matching is done: how many businesses matched and how many did not."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"matched_count": 412, "unmatched_count": 9, "note": "Nine are dissolved."}
            ]
        }
    )

    matched_count: int = Field(ge=0, le=10_000_000)
    unmatched_count: int = Field(ge=0, le=10_000_000)
    note: str | None = Field(None, max_length=5000)


class TaskFailure(Input):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "No number is held on the IDBR."}]}
    )

    reason: str = Field(min_length=3, max_length=5000)


_REQUEST_EXAMPLE: dict[str, Any] = {
    "title": "ASHE 2021 linked to Census 2021",
    "source_dataset_ids": ["ds-ashe-2021", "ds-census-2021"],
    "purpose": "Earnings by household composition",
    "wider_benefit": "Many projects on low pay need household context.",
    "project_id": None,
}
DatasetId = Annotated[str, Field(min_length=1, max_length=100)]


class LinkedDatasetRequestCreate(Input):
    """A request for ONS to link datasets into a new de-identified dataset that every
    project could use: which datasets, what for, and the benefit beyond one project."""

    model_config = ConfigDict(json_schema_extra={"examples": [_REQUEST_EXAMPLE]})

    title: str = Field(min_length=3, max_length=300)
    source_dataset_ids: list[DatasetId] = Field(min_length=2, max_length=20)
    purpose: str = Field(min_length=3, max_length=5000)
    wider_benefit: str = Field(
        min_length=3,
        max_length=5000,
        description="the research benefit beyond the requester's own project",
    )
    project_id: str | None = Field(
        None, max_length=40, description="optional: a project the caller leads that needs it"
    )


class UserNeedFinding(Input):
    strength: UserNeed
    note: str = Field("", max_length=5000)


class OwnerSupport(Input):
    owner: str = Field(min_length=1, max_length=200)
    supports: bool
    note: str = Field("", max_length=5000)


class FeasibilityFinding(Input):
    finding: Feasibility
    note: str = Field("", max_length=5000)


class ResourceFinding(Input):
    available: bool = Field(description="ONS has the people to carry out the linkage")
    note: str = Field("", max_length=5000)


class Assessment(Input):
    """Support's assessment of the four factors; ``owner_support`` holds one answer per
    data owner of the source datasets."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "user_need": {"strength": "strong", "note": "Asked for by five projects"},
                    "owner_support": [
                        {"owner": "ONS", "supports": True, "note": ""},
                        {"owner": "DWP", "supports": True, "note": "letter of 2 Dec"},
                    ],
                    "feasibility": {"finding": "complex", "note": "Shared address keys"},
                    "ons_resource": {"available": True, "note": "Two analysts, six weeks"},
                }
            ]
        }
    )

    user_need: UserNeedFinding
    owner_support: list[OwnerSupport] = Field(min_length=1, max_length=20)
    feasibility: FeasibilityFinding
    ons_resource: ResourceFinding


class Outcome(Input):
    """Agree (naming the new dataset's catalogue id) or decline, with reasons."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "outcome": "agreed",
                    "reasons": "Strong need; every owner supports it.",
                    "dataset_id": "ds-linked-ashe-census-2021",
                }
            ]
        }
    )

    outcome: RequestOutcome
    reasons: str = Field(min_length=3, max_length=5000)
    dataset_id: str | None = Field(
        None,
        min_length=3,
        max_length=100,
        pattern=r"^[a-z0-9][a-z0-9._-]*$",
        description="agreed: the catalogue id of the new linked dataset",
    )


class LinkedDatasetRequestRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    **_REQUEST_EXAMPLE,
                    "id": "ldr_01JA0D1F7K",
                    "requested_by": "res-alice",
                    "requested_by_name": "Alice Smith",
                    "status": "agreed",
                    "data_owners": ["ONS", "DWP"],
                    "source_titles": ["ASHE 2021", "Census 2021"],
                    "created_at": "2026-11-25T10:00:00Z",
                    "assessment": None,
                    "assessed_by": None,
                    "assessed_at": None,
                    "reasons": "Strong need; every owner supports it.",
                    "dataset_id": "ds-linked-ashe-census-2021",
                    "decided_by": "support-1",
                    "decided_at": "2026-12-01T10:00:00Z",
                }
            ]
        },
    )

    id: str
    requested_by: str
    requested_by_name: str | None = None
    project_id: str | None
    title: str
    source_dataset_ids: list[str]
    source_titles: list[str] = []
    data_owners: list[str] = Field(
        [], description="the data owners of the source datasets, each of whom must support it"
    )
    purpose: str
    wider_benefit: str
    status: RequestState
    created_at: dt.datetime
    assessment: Assessment | None
    assessed_by: str | None
    assessed_at: dt.datetime | None
    reasons: str | None
    dataset_id: str | None
    decided_by: str | None
    decided_at: dt.datetime | None
