"""Request and response models of the projects API."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "title": "Burglary security effectiveness in England and Wales",
        "lay_summary": "Which home security measures protect against burglary.",
        "organisation_id": "org-ntu",
        "legal_gateway": "DEA",
        "dataset_ids": ["ds-csew-2019"],
        "expected_end_date": "2027-06-30",
    }]})

    title: str = Field(min_length=3, max_length=300)
    lay_summary: str = Field(default="", max_length=5000)
    organisation_id: str = Field(min_length=1, max_length=100)
    legal_gateway: Literal["DEA", "SRSA"]
    dataset_ids: list[str] = Field(min_length=1, max_length=50)
    expected_end_date: dt.date
    priority: bool = False


class ProjectDecision(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "reason": "Clear public benefit; datasets proportionate.", "conditions": None}]})

    reason: str = Field(min_length=3, max_length=5000)
    conditions: str | None = Field(default=None, max_length=5000)


class MemberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    researcher_id: str
    role: str
    active: bool


class ProjectRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    organisation_id: str
    legal_gateway: str
    dataset_ids: list[str]
    expected_end_date: dt.date
    status: str
    lead_researcher_id: str
    created_at: dt.datetime
    approved_at: dt.datetime | None
    activated_at: dt.datetime | None
