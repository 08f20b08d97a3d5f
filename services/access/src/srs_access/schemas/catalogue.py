"""Request and response models: the catalogue: datasets and organisations."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator

from srs_access.domain import AccessLevel
from srs_access.schemas.common import AccessLevelName, Id
from srs_access.schemas.requirements import DatasetRequirementRead
from srs_common.inputs import Input

_DATASET_EXAMPLE: dict[str, JsonValue] = {
    "id": "ds-ashe-2021",
    "title": "Annual Survey of Hours and Earnings 2021",
    "owner": "ONS",
    "access_level": "aoc_office",
    "disclosure_threshold": 10,
    "operational_id_columns": ["entref"],
}


class DatasetFields(Input):
    model_config = ConfigDict(
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
    model_config = ConfigDict(json_schema_extra={"examples": [_DATASET_EXAMPLE]})

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
    requirements: list[DatasetRequirementRead] = Field(
        default_factory=list,
        description="extra steps (a supplementary form) a project asking for the dataset "
        "must complete before the panel may approve it",
    )

    @field_validator("access_level", mode="before")
    @classmethod
    def _level_name(cls, value: object) -> object:
        return AccessLevel(value).name if isinstance(value, int) else value


_ORG_EXAMPLE: dict[str, JsonValue] = {
    "id": "org-ntu",
    "name": "Nottingham Trent University",
    "contact_email": "research.office@ntu.example",
    "aoc_certified_until": "2028-03-31",
    "legacy_remote_access": False,
}


class OrganisationFields(Input):
    model_config = ConfigDict(
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
    model_config = ConfigDict(json_schema_extra={"examples": [_ORG_EXAMPLE]})

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
