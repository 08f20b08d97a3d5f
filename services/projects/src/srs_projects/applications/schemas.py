"""Request models of the application (the draft and its edits)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ConfigDict, Field, model_validator

from srs_common.inputs import Input
from srs_projects.domain import Gateway
from srs_projects.schemas import APPLICATION_EXAMPLE, Linkage


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

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [APPLICATION_EXAMPLE]})

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
