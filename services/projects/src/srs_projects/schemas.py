"""Request and response models of the projects API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator, model_validator


def _storable(value: Any) -> Any:
    """PostgreSQL text cannot hold NUL: refuse it at the door (422 naming the field)
    rather than at the flush (a 500)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("must not contain the NUL character")
    elif isinstance(value, list | tuple):
        for item in value:
            _storable(item)
    elif isinstance(value, dict):
        for item in value.values():
            _storable(item)
    return value


class Input(BaseModel):
    """Base of every request body: unknown fields refused, text storable."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _text_is_storable(cls, value: Any) -> Any:
        return _storable(value)


Gateway = Literal["DEA", "SRSA"]

# What people type when they mean matching de-identified tables on common variables
# (e.g. the pseudonymised "entref"): not linkage, so it has no place in this section.
_MATCHING_WORDS = ("common", "variable", "match_tables", "entref", "ons_id", "matching")

# --- the linkage section ----------------------------------------------------------------


class IdbrMatching(Input):
    """Inter-Departmental Business Register matching: by Companies House reference
    numbers (the SRS team does it) or by business names and addresses (a separate,
    charged team: the charge must be accepted before the application is submitted)."""

    model_config = ConfigDict(extra="forbid")

    method: str = Field(description="`crn` or `names_addresses`")
    crns: list[str] = Field(
        default_factory=list,
        max_length=100_000,
        description="Companies House reference numbers (method `crn`)",
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

    @model_validator(mode="after")
    def _crns_for_crn(self) -> IdbrMatching:
        if self.method == "crn" and not self.crns:
            raise ValueError("CRN matching needs the Companies House reference numbers (crns)")
        return self


class LinkedDatasetRequest(Input):
    """A request for ONS to create a new linked dataset (of benefit beyond this project)."""

    model_config = ConfigDict(extra="forbid")

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


class LinkageRead(Linkage):
    model_config = ConfigDict(extra="ignore")

    idbr_performed_by: Literal["srs_team", "idbr_team"] | None = None


# --- applications -----------------------------------------------------------------------

_APPLICATION_EXAMPLE = {
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


def _no_self_granted_priority(data: Any) -> Any:
    if isinstance(data, dict) and "priority" in data:
        raise ValueError(
            "priority is granted by the Research Accreditation Panel only; "
            "ask for it with priority_requested"
        )
    return data


class ProjectCreate(Input):
    """A draft application; the caller becomes its lead researcher and the project belongs
    to the lead's organisation. Fields the panel needs but a draft may lack are checked on
    submission."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [_APPLICATION_EXAMPLE]}
    )

    title: str = Field(min_length=3, max_length=300)
    lay_summary: str = Field(default="", max_length=5000)
    public_benefit: str = Field(default="", max_length=5000)
    organisation_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="optional: always the lead researcher's organisation; naming another "
        "is refused",
    )
    legal_gateway: Gateway
    dataset_ids: list[str] = Field(min_length=1, max_length=50)
    expected_start_date: dt.date | None = None
    expected_end_date: dt.date
    ethics_confirmed: bool = False
    data_source_acknowledged: bool = False
    priority_requested: bool = Field(
        False,
        description="ask for priority (research important to government operations or "
        "public health); only priority the panel grants moves the project up a queue",
    )
    linkage: Linkage | None = None

    _priority_is_granted = model_validator(mode="before")(_no_self_granted_priority)

    @model_validator(mode="after")
    def _dates_in_order(self) -> ProjectCreate:
        if self.expected_start_date and self.expected_start_date >= self.expected_end_date:
            raise ValueError("expected_start_date must be before expected_end_date")
        return self


class ProjectUpdate(Input):
    """Changes to a draft (or to an application the panel sent back)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "public_benefit": "Evidence for crime prevention policy.",
                    "ethics_confirmed": True,
                    "linkage": {"idbr": {"method": "crn", "crns": ["01234567"]}},
                }
            ]
        },
    )

    title: str | None = Field(default=None, min_length=3, max_length=300)
    lay_summary: str | None = Field(default=None, max_length=5000)
    public_benefit: str | None = Field(default=None, max_length=5000)
    legal_gateway: Gateway | None = None
    dataset_ids: list[str] | None = Field(default=None, min_length=1, max_length=50)
    expected_start_date: dt.date | None = None
    expected_end_date: dt.date | None = None
    ethics_confirmed: bool | None = None
    data_source_acknowledged: bool | None = None
    priority_requested: bool | None = None
    linkage: Linkage | None = None

    _priority_is_granted = model_validator(mode="before")(_no_self_granted_priority)


class Reason(Input):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"reason": "Please explain how the outputs will be published."}]
        },
    )

    reason: str = Field(min_length=3, max_length=5000)


class ProjectDecision(Input):
    """The panel's approval, with its reasons and any conditions."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"reason": "Clear public benefit; datasets proportionate.", "conditions": None}
            ]
        },
    )

    reason: str = Field(min_length=3, max_length=5000)
    conditions: str | None = Field(default=None, max_length=5000)
    priority: bool | None = Field(
        default=None,
        description="the panel grants (true) or "
        "withholds (false) priority; omitted keeps what the panel "
        "decided before (none: no priority)",
    )


class PriorityDecision(Input):
    """The panel's decision on priority, between submission and approval."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"priority": True, "reason": "Directly informs the government's COVID-19 response."}
            ]
        },
    )

    priority: bool
    reason: str = Field(min_length=3, max_length=5000)


class LeadHandover(Input):
    """Support names a new lead researcher (a current full accreditation is required)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"researcher_id": "res-bob", "reason": "previous lead's accreditation revoked"}
            ]
        },
    )

    researcher_id: str = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=3, max_length=5000)


class MemberCreate(Input):
    """A person named on the project. Lead, researchers and data peer reviewers need a
    current accreditation (data peer reviewers a full one); a provisional researcher
    names a fully accredited supervisor on the same project; an outputs-only peer
    reviewer needs no accreditation but must be named."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"researcher_id": "res-bob", "role": "researcher", "supervisor_id": "res-alice"},
                {
                    "researcher_id": "rev-carol",
                    "role": "peer_reviewer_outputs",
                    "name": "Carol Reviewer",
                },
            ]
        },
    )

    researcher_id: str = Field(min_length=1, max_length=100)
    role: Literal["researcher", "peer_reviewer_data", "peer_reviewer_outputs"]
    name: str | None = Field(default=None, max_length=200)
    supervisor_id: str | None = Field(default=None, max_length=100)


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


class MemberRequestRead(BaseModel):
    """A request to add a member who will see data to an approved project."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "mrq_01J9",
                    "project_id": "prj_01J9Z8Q4V6",
                    "researcher_id": "res-bob",
                    "role": "researcher",
                    "name": None,
                    "supervisor_id": None,
                    "status": "requested",
                    "requested_by": "res-alice",
                    "requested_at": "2027-01-10T09:00:00Z",
                    "decided_by": None,
                    "decided_at": None,
                    "reason": None,
                }
            ]
        },
    )

    id: str
    project_id: str
    researcher_id: str
    role: str
    name: str | None
    supervisor_id: str | None
    status: Literal["requested", "approved", "refused", "withdrawn"]
    requested_by: str
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    reason: str | None


class DecisionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: str
    decided_by: str
    reason: str | None
    decided_at: dt.datetime


class PublicationIn(Input):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=3, max_length=500)
    url: AnyHttpUrl | None = None


class PublicationRead(BaseModel):
    title: str
    url: str | None = None


class ProjectRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    **_APPLICATION_EXAMPLE,
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
    expected_end_date: dt.date
    created_at: dt.datetime


# --- during the project -------------------------------------------------------------------


class ExtensionCreate(Input):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"expected_end_date": "2027-12-31", "reason": "Survey wave delayed by six months."}
            ]
        },
    )

    expected_end_date: dt.date
    reason: str = Field(min_length=3, max_length=5000)


class ExtensionRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "ext_01J9",
                    "project_id": "prj_01J9Z8Q4V6",
                    "requested_end_date": "2027-12-31",
                    "reason": "Survey wave delayed.",
                    "status": "requested",
                    "requested_by": "res-alice",
                    "requested_at": "2027-05-01T09:00:00Z",
                    "decided_by": None,
                    "decided_at": None,
                }
            ]
        },
    )

    id: str
    project_id: str
    requested_end_date: dt.date
    reason: str
    status: str
    requested_by: str
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None


class CompletionCreate(Input):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "final_publications": [
                        {
                            "title": "Burglary and home security",
                            "url": "https://doi.org/10.1000/xyz",
                        }
                    ]
                }
            ]
        },
    )

    final_publications: list[PublicationIn] = Field(default_factory=list, max_length=200)


# --- the public register ------------------------------------------------------------------


class RegisterEntry(BaseModel):
    """An accredited project as the public register shows it."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "prj_01J9Z8Q4V6",
                    "title": "Burglary security effectiveness",
                    "lay_summary": "Which home security measures protect against burglary.",
                    "organisation_id": "org-ntu",
                    "legal_gateway": "DEA",
                    "dataset_ids": ["ds-csew-2019"],
                    "accredited_at": "2026-11-25T10:00:00Z",
                    "status": "active",
                }
            ]
        },
    )

    id: str
    title: str
    lay_summary: str
    organisation_id: str
    legal_gateway: str
    dataset_ids: list[str]
    accredited_at: dt.datetime = Field(validation_alias="approved_at")
    status: str
