"""Request and response models of the running project: handover, extensions, completion."""

from __future__ import annotations

import datetime as dt

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from srs_common.inputs import Input


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


class PublicationIn(Input):
    title: str = Field(min_length=3, max_length=500)
    url: AnyHttpUrl | None = None


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


class CaseStudyAnswer(Input):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"consent": True}]})

    consent: bool = Field(description="true: the lead consents to the case study; false: declines")
