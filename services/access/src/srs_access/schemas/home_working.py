"""Request and response models: home-working requests."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from srs_access.schemas.common import Id, ProjectId
from srs_common.inputs import Input


class HomeWorkingCreate(Input):
    """The section 18 application form."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "project_ids": ["prj_01J9Z8Q4V6"],
                    "researcher_ids": ["res-alice"],
                    "importance_to_government": (
                        "Evaluates the COVID-19 business support schemes for HMT."
                    ),
                    "urgency_and_impact_of_delay": "Findings due to ministers in January; a delay "
                    "postpones the scheme review.",
                    "organisation_machine_over_vpn": True,
                    "organisation_agreement_confirmed": True,
                }
            ]
        },
    )

    project_ids: list[Annotated[str, ProjectId]] = Field(min_length=1, max_length=20)
    researcher_ids: list[Annotated[str, Id]] = Field(min_length=1, max_length=50)
    importance_to_government: str = Field(min_length=10, max_length=5000)
    urgency_and_impact_of_delay: str = Field(min_length=10, max_length=5000)
    organisation_machine_over_vpn: bool = Field(
        description="access only from an organisation-provided machine over its corporate VPN"
    )
    organisation_agreement_confirmed: bool = Field(
        description="the organisation has an Assured Organisational Connectivity agreement"
    )

    @field_validator("project_ids", "researcher_ids")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("duplicates are not allowed")
        return value


class HomeWorkingReason(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"reason": "the research is not urgent enough for home access"}]
        },
    )

    reason: str = Field(min_length=3, max_length=2000)


class HomeWorkingRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "hw_01JA",
                    "organisation_id": "org-ntu",
                    "submitted_by": "res-alice",
                    "project_ids": ["prj_01J9Z8Q4V6"],
                    "researcher_ids": ["res-alice"],
                    "importance_to_government": "...",
                    "urgency_and_impact_of_delay": "...",
                    "organisation_machine_over_vpn": True,
                    "organisation_agreement_confirmed": True,
                    "status": "submitted",
                    "dataset_owners": {"ds-csew-2019": "ONS"},
                    "owner_approvals": {},
                    "staff_approved_by": None,
                    "reason": None,
                    "submitted_at": "2026-11-25T10:00:00Z",
                    "respond_by": "2026-11-27",
                    "response_overdue": False,
                    "decided_at": None,
                    "syops_signed": {},
                    "names": {
                        "res-alice": "Alice Example",
                        "prj_01J9Z8Q4V6": "Social mobility across four censuses",
                        "ds-csew-2019": "Crime Survey for England and Wales 2019",
                    },
                }
            ]
        },
    )

    id: str
    organisation_id: str
    submitted_by: str
    project_ids: list[str]
    researcher_ids: list[str]
    importance_to_government: str
    urgency_and_impact_of_delay: str
    organisation_machine_over_vpn: bool
    organisation_agreement_confirmed: bool
    status: str
    dataset_owners: dict[str, str]
    owner_approvals: dict[str, str]
    staff_approved_by: str | None
    reason: str | None
    submitted_at: dt.datetime
    respond_by: dt.date = Field(
        description="two working days after submission (England and Wales bank holidays excluded)"
    )
    response_overdue: bool = False
    decided_at: dt.datetime | None
    syops_signed: dict[str, bool] = {}
    names: dict[str, str] = Field(
        default_factory=dict,
        description="the name of each researcher, project and dataset the request mentions, "
        "by id, where the service has heard of it (a page shows the id otherwise)",
    )
