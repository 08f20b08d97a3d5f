"""Request and response models of the access API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from srs_access.domain import AccessLevel

AccessLevelName = Literal["safe_setting", "aoc_office", "home"]
Setting = Literal["safe_room", "safepod", "office", "home"]
Id = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")
# Project ids are 40-character columns wherever access stores them.
ProjectId = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.:-]+$")


class TokenResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJSUzI1NiIsImtpZCI6Ii4uLiJ9...",
                    "token_type": "Bearer",
                    "expires_in": 900,
                }
            ]
        }
    )

    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    scope: str | None = Field(
        None, description="granted scopes, space-separated (client-credentials grant)"
    )


# --- catalogue ------------------------------------------------------------------------

_DATASET_EXAMPLE = {
    "id": "ds-ashe-2021",
    "title": "Annual Survey of Hours and Earnings 2021",
    "owner": "ONS",
    "access_level": "aoc_office",
    "disclosure_threshold": 10,
    "operational_id_columns": ["entref"],
}


class DatasetFields(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{k: v for k, v in _DATASET_EXAMPLE.items() if k != "id"}]},
    )

    title: str = Field(min_length=1, max_length=300)
    owner: str = Field(
        min_length=1,
        max_length=200,
        description="the data owner; a data_owner token's `org` claim names it",
    )
    access_level: AccessLevelName = Field(
        description="safe_setting (safe room or SafePod only) < aoc_office (also office "
        "access under an agreement) < home (also home access)"
    )
    disclosure_threshold: int = Field(10, ge=1, le=1000)
    operational_id_columns: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=50
    )


class DatasetCreate(DatasetFields):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_DATASET_EXAMPLE]})

    id: str = Id


class DatasetRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [_DATASET_EXAMPLE]}
    )

    id: str
    title: str
    owner: str
    access_level: AccessLevelName
    disclosure_threshold: int
    operational_id_columns: list[str]

    @field_validator("access_level", mode="before")
    @classmethod
    def _level_name(cls, value: object) -> object:
        return AccessLevel(value).name if isinstance(value, int) else value


_ORG_EXAMPLE = {
    "id": "org-ntu",
    "name": "Nottingham Trent University",
    "contact_email": "research.office@ntu.example",
    "aoc_certified_until": "2028-03-31",
    "legacy_remote_access": False,
}


class OrganisationFields(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{k: v for k, v in _ORG_EXAMPLE.items() if k != "id"}]},
    )

    name: str = Field(min_length=1, max_length=300)
    contact_email: str | None = Field(None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    aoc_certified_until: dt.date | None = Field(
        None, description="Assured Organisational Connectivity agreement certified until"
    )
    legacy_remote_access: bool = Field(
        False,
        description="an existing (legacy) remote connection not yet moved to an "
        "agreement: its researchers may keep working from the office; "
        "home working needs a current agreement",
    )


class OrganisationCreate(OrganisationFields):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_ORG_EXAMPLE]})

    id: str = Id


class OrganisationRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [{**_ORG_EXAMPLE, "agreement_current": True}]},
    )

    id: str
    name: str
    contact_email: str | None
    aoc_certified_until: dt.date | None
    legacy_remote_access: bool
    agreement_current: bool


# --- project spaces -------------------------------------------------------------------


class AccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    researcher_id: str
    role: str
    enabled: bool
    disabled_reason: str | None


class ProjectSpaceRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "spc_01J9Z8R2K1",
                    "project_id": "prj_01J9Z8Q4V6",
                    "status": "active",
                    "dataset_ids": ["ds-csew-2019"],
                    "created_at": "2026-11-25T10:00:01Z",
                    "archived_at": None,
                    "accounts": [
                        {
                            "researcher_id": "res-alice",
                            "role": "lead",
                            "enabled": True,
                            "disabled_reason": None,
                        }
                    ],
                }
            ]
        },
    )

    id: str
    project_id: str
    status: str
    dataset_ids: list[str]
    created_at: dt.datetime
    archived_at: dt.datetime | None = None
    accounts: list[AccountRead] = []


# --- access decisions -----------------------------------------------------------------


class AccessDecisionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "researcher_id": "res-alice",
                    "project_id": "prj_01J9Z8Q4V6",
                    "setting": "safe_room",
                    "country": "GB",
                    "site_id": "titchfield",
                },
                {
                    "researcher_id": "res-alice",
                    "project_id": "prj_01J9Z8Q4V6",
                    "setting": "home",
                    "country": "GB",
                },
            ]
        },
    )

    researcher_id: str = Id
    project_id: str = ProjectId
    setting: Setting
    country: str = Field(
        pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 country the session comes from"
    )
    site_id: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="safe-room site or SafePod; required for those",
    )

    @model_validator(mode="before")
    @classmethod
    def _no_organisation(cls, data: object) -> object:
        if isinstance(data, dict) and "organisation_id" in data:
            raise ValueError(
                "organisation_id is not accepted: the organisation is the one "
                "on the researcher's record"
            )
        return data

    @model_validator(mode="after")
    def _site_for_safe_settings(self) -> AccessDecisionCreate:
        if self.setting in ("safe_room", "safepod") and not self.site_id:
            raise ValueError("site_id is required for a safe room or SafePod")
        return self


class DenyReason(BaseModel):
    code: str
    message: str


class AccessDecisionRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "decision_id": "dec_01JA",
                    "decision": "deny",
                    "allowed": False,
                    "reasons": [
                        {
                            "code": "outside_uk",
                            "message": "access from outside the UK is not permitted",
                        }
                    ],
                    "researcher_id": "res-alice",
                    "project_id": "prj_01J9Z8Q4V6",
                    "setting": "home",
                    "organisation_id": "org-ntu",
                    "decided_at": "2026-11-25T10:00:00Z",
                    "audit_entry_id": 42,
                }
            ]
        }
    )

    decision_id: str
    decision: Literal["allow", "deny"]
    allowed: bool
    reasons: list[DenyReason]
    researcher_id: str
    project_id: str
    setting: Setting
    organisation_id: str | None = Field(
        None,
        description="the researcher's organisation, from their record (none known: "
        "office and home are denied)",
    )
    decided_at: dt.datetime
    audit_entry_id: int


# --- audit ------------------------------------------------------------------------------


class AuditEntryRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 42,
                    "seq": 42,
                    "occurred_at": "2026-11-25T10:00:00Z",
                    "actor": "gateway",
                    "action": "access_decision",
                    "outcome": "deny",
                    "researcher_id": "res-alice",
                    "project_id": "prj_01J9Z8Q4V6",
                    "detail": {"reasons": ["outside_uk"]},
                    "prev_hash": "9f2c...",
                    "hash": "1ab4...",
                }
            ]
        },
    )

    id: int
    seq: int | None = Field(description="place in the hash chain; null until sealed")
    occurred_at: dt.datetime
    actor: str
    action: str
    outcome: str
    researcher_id: str | None
    project_id: str | None
    detail: dict
    prev_hash: str | None
    hash: str | None


class ChainVerification(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "valid": False,
                    "entries_checked": 41,
                    "first_broken_seq": 42,
                    "problem": "its content does not match its hash (edited)",
                    "newest_anchor_seq": 57,
                }
            ]
        }
    )

    valid: bool
    entries_checked: int
    first_broken_seq: int | None = None
    problem: str | None = None
    newest_anchor_seq: int | None = Field(
        None, description="the newest anchor the chain was checked against (stored or given)"
    )


# --- home working -----------------------------------------------------------------------


class HomeWorkingCreate(BaseModel):
    """The section 18 application form."""

    model_config = ConfigDict(
        extra="forbid",
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


class HomeWorkingReason(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
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


# --- ingestion --------------------------------------------------------------------------


class IngestionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "project_id": "prj_01J9Z8Q4V6",
                    "kind": "code",
                    "description": "Stata do-files that derive the burglary security indicators",
                    "source": "sftp upload ref 2026-11-25-alice-01",
                }
            ]
        },
    )

    project_id: str = ProjectId
    kind: Literal["data", "code"]
    description: str = Field(min_length=3, max_length=2000)
    source: str = Field(
        min_length=1,
        max_length=500,
        description="where it comes from; public package repositories "
        "(CRAN, PyPI, GitHub...) are refused",
    )


class IngestionDecision(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "checked: own code, no data"}]}
    )

    reason: str | None = Field(None, max_length=2000)


class IngestionRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "ing_01JA",
                    "project_id": "prj_01J9Z8Q4V6",
                    "researcher_id": "res-alice",
                    "kind": "code",
                    "description": "Stata do-files",
                    "source": "sftp upload",
                    "status": "pending",
                    "reason": None,
                    "decided_by": None,
                    "created_at": "2026-11-25T10:00:00Z",
                    "decided_at": None,
                }
            ]
        },
    )

    id: str
    project_id: str
    researcher_id: str
    kind: str
    description: str
    source: str
    status: str
    reason: str | None
    decided_by: str | None
    created_at: dt.datetime
    decided_at: dt.datetime | None


# --- partner API clients ------------------------------------------------------------------

PartnerScope = Literal[
    "researchers:read",
    "applications:read",
    "applications:write",
    "projects:read",
    "outputs:read",
    "webhooks:manage",
]


class ApiClientCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "organisation_id": "org-ntu",
                    "name": "NTU research office integration",
                    "scopes": ["researchers:read", "applications:read", "applications:write"],
                }
            ]
        },
    )

    organisation_id: str = Id
    name: str = Field(min_length=1, max_length=200)
    scopes: list[PartnerScope] = Field(min_length=1, max_length=6)


class ApiClientRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "cli_3f2a0c1e9b7d4e5f8a6b1c2d3e4f5a6b",
                    "organisation_id": "org-ntu",
                    "name": "NTU research office integration",
                    "scopes": ["applications:read", "researchers:read"],
                    "created_by": "support-1",
                    "created_at": "2026-11-25T10:00:00Z",
                    "revoked_at": None,
                }
            ]
        },
    )

    id: str
    organisation_id: str
    name: str
    scopes: list[str]
    created_by: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class ApiClientWithSecret(ApiClientRead):
    """A client and its new secret: the only time the secret is ever shown."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "cli_3f2a0c1e9b7d4e5f8a6b1c2d3e4f5a6b",
                    "organisation_id": "org-ntu",
                    "name": "NTU research office integration",
                    "scopes": ["researchers:read"],
                    "created_by": "support-1",
                    "created_at": "2026-11-25T10:00:00Z",
                    "revoked_at": None,
                    "client_secret": "srs_cs_q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c",
                }
            ]
        }
    )

    client_secret: str


class SecretRotation(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"old_secret_expires_at": "2026-11-26T10:00:00Z"}]},
    )

    old_secret_expires_at: dt.datetime = Field(
        description="until when the secrets issued before keep working (the overlap); "
        "now for an immediate switch"
    )

    @field_validator("old_secret_expires_at")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            raise ValueError("give a time zone, e.g. 2026-11-26T10:00:00Z")
        return value
