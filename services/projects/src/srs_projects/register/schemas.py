"""The public register's response model."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator

from srs_projects.schemas import PublicationRead


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
                    "status": "completed",
                    "final_publications": [
                        {"title": "Burglary and home security", "url": "https://doi.org/10.0/x"}
                    ],
                    "case_study": True,
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
    final_publications: list[PublicationRead] = Field(
        default_factory=list, description="the final publications recorded at completion"
    )
    case_study: bool = Field(
        False, description="staff chose it as a case study and the lead consented"
    )

    @field_validator("final_publications", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return [] if value is None else value

    @field_validator("case_study", mode="before")
    @classmethod
    def _consented(cls, value: object) -> bool:
        return value is True or value == "consented"
