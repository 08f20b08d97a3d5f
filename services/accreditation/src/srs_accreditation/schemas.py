"""Request and response models of the accreditation API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, JsonValue, computed_field

from srs_accreditation import domain
from srs_common.inputs import Input

Kind = Literal["full", "provisional", "srsa_approved"]
Degree = Literal["none", "undergraduate", "masters", "doctorate"]


class QualificationsIn(Input):
    degree: Degree = "none"
    degree_quantitative: bool = Field(
        False, description="the degree includes a significant proportion of maths or statistics"
    )
    quantitative_research_years: int = Field(0, ge=0, le=80)


class QualificationsRead(QualificationsIn):
    model_config = ConfigDict(from_attributes=True)


_PROFILE: dict[str, Any] = {
    "name": "Alice Example",
    "email": "alice@ntu.example",
    "organisation_id": "org-ntu",
    "qualifications": {
        "degree": "masters",
        "degree_quantitative": True,
        "quantitative_research_years": 2,
    },
}


class ResearcherCreate(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{k: v for k, v in _PROFILE.items() if k != "organisation_id"}]
        },
    )

    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    organisation_id: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="optional: the organisation recorded is always the one of the caller's "
        "verified identity (the token's `org` claim); a different one is refused",
    )
    qualifications: QualificationsIn = Field(default_factory=QualificationsIn)


class ResearcherUpdate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{"email": "alice@new.example"}]})

    name: str | None = Field(None, min_length=1, max_length=200)
    email: EmailStr | None = None
    organisation_id: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="only support changes a researcher's organisation "
        "(`POST /v1/researchers/{researcher_id}/organisation`); a different one "
        "here is refused",
    )
    qualifications: QualificationsIn | None = None


class ResearcherRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "res-alice",
                    **_PROFILE,
                    "created_at": "2026-11-25T10:00:00Z",
                    "updated_at": "2026-11-25T10:00:00Z",
                }
            ]
        },
    )

    id: str
    name: str
    email: str
    organisation_id: str
    qualifications: QualificationsRead
    created_at: dt.datetime
    updated_at: dt.datetime


class OrganisationChangeCreate(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "organisation_id": "org-ucl",
                    "reason": "Moved from NTU to UCL (HR letter of 1 Dec).",
                }
            ]
        },
    )

    organisation_id: str = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=3, max_length=5000)


class OrganisationChangeRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "researcher_id": "res-alice",
                    "from_organisation_id": "org-ntu",
                    "to_organisation_id": "org-ucl",
                    "changed_by": "support-1",
                    "reason": "Moved from NTU to UCL (HR letter of 1 Dec).",
                    "changed_at": "2026-12-02T10:00:00Z",
                }
            ]
        },
    )

    id: int
    researcher_id: str
    from_organisation_id: str
    to_organisation_id: str
    changed_by: str
    reason: str
    changed_at: dt.datetime


class ApplicationCreate(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "provisional",
                    "supervisor_id": "res-bob",
                    "training_completed_on": "2026-10-01",
                    "statement": "PhD student in criminology",
                },
                {
                    "kind": "full",
                    "researcher_id": "res-alice",
                    "training_completed_on": "2026-10-01",
                    "statement": "drafted by the university's partner API client",
                },
            ]
        },
    )

    kind: Kind
    researcher_id: str | None = Field(
        None,
        max_length=100,
        description="the applicant: required for partner clients (a "
        "researcher of their organisation); researchers apply for themselves",
    )
    supervisor_id: str | None = Field(None, max_length=100)
    training_completed_on: dt.date | None = Field(
        None, description="date the safe researcher training was completed"
    )
    statement: str = Field("", max_length=10000)


class ApplicationUpdate(Input):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"training_completed_on": "2026-10-01"}]}
    )

    supervisor_id: str | None = Field(None, max_length=100)
    training_completed_on: dt.date | None = None
    statement: str | None = Field(None, max_length=10000)


class ApplicationRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "app_1",
                    "researcher_id": "res-alice",
                    "researcher_name": "Alice Example",
                    "kind": "full",
                    "status": "approved",
                    "supervisor_id": None,
                    "training_completed_on": "2026-10-01",
                    "statement": "",
                    "information_requested": None,
                    "decided_by": "panel-1",
                    "decision_reason": "meets the criteria",
                    "conditions": None,
                    "accreditation_id": "acc_1",
                    "created_at": "2026-11-25T10:00:00Z",
                    "submitted_at": "2026-11-25T10:05:00Z",
                    "decided_at": "2026-11-26T09:00:00Z",
                }
            ]
        },
    )

    id: str
    researcher_id: str
    researcher_name: str | None = Field(
        None, description="the applicant's name, from their researcher record"
    )
    kind: Kind
    status: str
    supervisor_id: str | None
    training_completed_on: dt.date | None
    statement: str
    information_requested: str | None
    decided_by: str | None
    decision_reason: str | None
    conditions: str | None
    accreditation_id: str | None = Field(
        None, description="the accreditation granted or renewed by the approval"
    )
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None


class Approval(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reason": "Meets the accreditation criteria.",
                    "conditions": "Outputs checked by the supervisor first.",
                }
            ]
        },
    )

    reason: str = Field(min_length=3, max_length=5000)
    conditions: str | None = Field(None, max_length=5000)


class Reasoned(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"reason": "No evidence of quantitative research experience."}]
        },
    )

    reason: str = Field(min_length=3, max_length=5000)


class RecognisedService(BaseModel):
    """A secure data service that recognises an accreditation."""

    id: str = Field(description="`srs`, `dea-accredited-services` or `ukds-secure-lab`")
    name: str


_RECOGNISED_BY = (
    "the services this accreditation is recognised by: a DEA accreditation (full or "
    "provisional) by the SRS and the other DEA-accredited services, an SRSA approved "
    "researcher only by the SRS and the UK Data Service Secure Lab"
)
_FULL_RECOGNISED_BY: list[JsonValue] = [{**service} for service in domain.recognised_by("full")]


class AccreditationRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "acc_1",
                    "researcher_id": "res-alice",
                    "kind": "full",
                    "status": "current",
                    "valid_from": "2026-11-26",
                    "valid_until": "2029-11-25",
                    "application_id": "app_1",
                    "supervisor_id": None,
                    "conditions": None,
                    "status_reason": None,
                    "granted_at": "2026-11-26T09:00:00Z",
                    "updated_at": "2026-11-26T09:00:00Z",
                    "recognised_by": _FULL_RECOGNISED_BY,
                }
            ]
        },
    )

    id: str
    researcher_id: str
    kind: Kind
    status: str
    valid_from: dt.date
    valid_until: dt.date
    application_id: str | None
    supervisor_id: str | None
    conditions: str | None
    status_reason: str | None
    granted_at: dt.datetime
    updated_at: dt.datetime

    @computed_field(description=_RECOGNISED_BY)  # type: ignore[prop-decorator]
    @property
    def recognised_by(self) -> list[RecognisedService]:
        return [RecognisedService(**s) for s in domain.recognised_by(self.kind)]


class RegisterEntry(BaseModel):
    """One line of the public register: nothing private (no e-mail, no qualifications)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Alice Example",
                    "organisation": "org-ntu",
                    "kind": "full",
                    "valid_from": "2026-11-26",
                    "valid_until": "2029-11-25",
                    "status": "current",
                    "recognised_by": _FULL_RECOGNISED_BY,
                }
            ]
        }
    )

    name: str
    organisation: str
    kind: Kind
    valid_from: dt.date
    valid_until: dt.date
    status: str
    recognised_by: list[RecognisedService] = Field(description=_RECOGNISED_BY)
