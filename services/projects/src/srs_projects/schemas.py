"""The project as every feature reads it (with its linkage section), and the reason
model decisions share; each feature's own request and response models live beside it."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from srs_common.inputs import Input
from srs_projects.linkage import crn
from srs_projects.requirements.schemas import RequirementRead

# What people type when they mean matching de-identified tables on common variables
# (e.g. the pseudonymised "entref"): not linkage, so it has no place in this section.
_MATCHING_WORDS = ("common", "variable", "match_tables", "entref", "ons_id", "matching")


class IdbrMatching(Input):
    """Inter-Departmental Business Register matching: by Companies House reference
    numbers (the SRS team does it) or by business names and addresses (a separate,
    charged team: the charge must be accepted before the application is submitted)."""

    model_config = ConfigDict(extra="forbid")

    method: str = Field(description="`crn` or `names_addresses`")
    crns: list[str] = Field(
        default_factory=list,
        max_length=100_000,
        description="Companies House reference numbers (method `crn`): 8 characters, "
        "8 digits or a Companies House prefix (SC, NI, OC, SO, NC, R0, ...) and 6 digits; "
        "spaces and lower case are forgiven, every invalid number is named in the 422",
    )
    charge_accepted: bool = Field(
        False,
        description="method `names_addresses`: the applicant "
        "accepts the charge for the matching work",
    )

    @field_validator("method")
    @classmethod
    def _linkage_method(cls, method: str) -> str:
        if method in ("crn", "names_addresses"):
            return method
        if any(word in method.lower() for word in _MATCHING_WORDS):
            raise ValueError(
                "matching de-identified tables by common variables inside the "
                "environment is not linkage and must not be entered here"
            )
        raise ValueError("method must be 'crn' or 'names_addresses'")

    @field_validator("crns")
    @classmethod
    def _crns_well_formed(cls, crns: list[str]) -> list[str]:
        return crn.check_all(crns)

    @model_validator(mode="after")
    def _crns_for_crn(self) -> IdbrMatching:
        if self.method == "crn" and not self.crns:
            raise ValueError("CRN matching needs the Companies House reference numbers (crns)")
        return self


class LinkedDatasetRequest(Input):
    """A request for ONS to create a new linked dataset (of benefit beyond this project)."""

    user_need: str = Field(min_length=3, max_length=5000)
    data_owner_support: str = Field(
        min_length=3, max_length=5000, description="support from all the data owners"
    )
    feasibility: str = Field(
        min_length=3, max_length=5000, description="feasibility and complexity of the linkage"
    )
    resource: str = Field(min_length=3, max_length=5000, description="resource required within ONS")


class Linkage(Input):
    """Linkage using identifiable data. Matching de-identified tables by common
    variables inside the environment is not linkage and does not belong here."""

    model_config = ConfigDict(extra="forbid")

    idbr: IdbrMatching | None = None
    linked_dataset_request: LinkedDatasetRequest | None = None


class IdbrMatchingRead(BaseModel):
    """The IDBR section as stored, with who agreed to pay for names and addresses
    matching and when (recorded by the service from the lead's ``charge_accepted``)."""

    method: str
    crns: list[str] = []
    charge_accepted: bool = False
    charge_agreed_by: str | None = None
    charge_agreed_at: dt.datetime | None = None


class LinkageRead(BaseModel):
    model_config = ConfigDict(extra="ignore")

    idbr: IdbrMatchingRead | None = None
    linked_dataset_request: LinkedDatasetRequest | None = None
    idbr_performed_by: Literal["srs_team", "idbr_team"] | None = None


APPLICATION_EXAMPLE: dict[str, Any] = {
    "title": "Burglary security effectiveness in England and Wales",
    "lay_summary": "Which home security measures protect against burglary.",
    "public_benefit": "Evidence for crime prevention policy and advice to householders.",
    "organisation_id": "org-ntu",
    "legal_gateway": "DEA",
    "dataset_ids": ["ds-csew-2019"],
    "expected_start_date": "2027-01-04",
    "expected_end_date": "2027-06-30",
    "ethics_confirmed": True,
    "data_source_acknowledged": True,
    "priority_requested": False,
    "linkage": {"idbr": {"method": "names_addresses", "charge_accepted": True}},
}


class Reason(Input):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"reason": "Please explain how the outputs will be published."}]
        },
    )

    reason: str = Field(min_length=3, max_length=5000)


class MemberRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "researcher_id": "res-bob",
                    "role": "researcher",
                    "active": False,
                    "name": None,
                    "supervisor_id": "res-alice",
                    "inactive_reason": "accreditation_expired",
                }
            ]
        },
    )

    researcher_id: str
    role: str
    active: bool
    name: str | None = None
    supervisor_id: str | None = None
    inactive_reason: str | None = None


class DecisionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: str
    decided_by: str
    reason: str | None
    decided_at: dt.datetime


class PublicationRead(BaseModel):
    title: str
    url: str | None = None


class CaseStudyRead(BaseModel):
    """Staff's nomination of a completed project as a case study, and the lead's answer."""

    status: Literal["nominated", "consented", "declined"]
    reason: str
    nominated_by: str
    nominated_at: dt.datetime
    answered_at: dt.datetime | None = None


class ProjectRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    **APPLICATION_EXAMPLE,
                    "id": "prj_01J9Z8Q4V6",
                    "status": "active",
                    "priority": False,
                    "lead_researcher_id": "res-alice",
                    "linkage": {
                        "idbr": {"method": "names_addresses", "crns": [], "charge_accepted": True},
                        "linked_dataset_request": None,
                        "idbr_performed_by": "idbr_team",
                    },
                    "members": [{"researcher_id": "res-alice", "role": "lead", "active": True}],
                    "decisions": [
                        {
                            "action": "approve",
                            "decided_by": "panel-1",
                            "reason": "clear benefit",
                            "decided_at": "2026-11-25T10:00:00Z",
                        }
                    ],
                    "conditions": None,
                    "final_publications": None,
                    "created_at": "2026-11-20T09:00:00Z",
                    "submitted_at": "2026-11-21T09:00:00Z",
                    "approved_at": "2026-11-25T10:00:00Z",
                    "activated_at": "2026-11-25T10:05:00Z",
                    "completed_at": None,
                }
            ]
        },
    )

    id: str
    title: str
    lay_summary: str
    public_benefit: str
    organisation_id: str
    legal_gateway: str
    dataset_ids: list[str]
    expected_start_date: dt.date | None
    expected_end_date: dt.date
    ethics_confirmed: bool
    data_source_acknowledged: bool
    priority_requested: bool
    priority: bool = Field(description="priority granted by the panel")
    linkage: LinkageRead | None
    status: str
    suspension_reason: str | None = None
    overdue_grace_ends_at: dt.datetime | None = None
    lead_researcher_id: str
    conditions: str | None
    members: list[MemberRead] = []
    decisions: list[DecisionRead] = []
    final_publications: list[PublicationRead] | None
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    activated_at: dt.datetime | None
    completed_at: dt.datetime | None
    case_study: CaseStudyRead | None = Field(
        None,
        description="a completed project's nomination as a case study and the lead's answer",
    )
    dataset_requirements: list[RequirementRead] = Field(
        default_factory=list,
        description="what the requested datasets require before approval (a supplementary "
        "form) and where each stands; the panel cannot approve until every one is accepted",
    )


class ProjectSummary(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "prj_01J9Z8Q4V6",
                    "title": "Burglary security effectiveness",
                    "organisation_id": "org-ntu",
                    "status": "under_review",
                    "priority_requested": True,
                    "priority": False,
                    "lead_researcher_id": "res-alice",
                    "lead_researcher_name": "Alice Example",
                    "expected_end_date": "2027-06-30",
                    "created_at": "2026-11-20T09:00:00Z",
                }
            ]
        },
    )

    id: str
    title: str
    organisation_id: str
    status: str
    priority_requested: bool
    priority: bool
    lead_researcher_id: str
    lead_researcher_name: str | None = Field(
        None, description="the name on the lead's researcher record, once the service knows it"
    )
    expected_end_date: dt.date
    created_at: dt.datetime
