"""Request and response models of dataset requirements."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from srs_common.inputs import Input
from srs_projects.requirements.rules import RequirementStatus

_QUESTIONS: list[JsonValue] = [
    {
        "key": "sector",
        "label": "Which sector are you employed in?",
        "hint": None,
        "choices": ["academic", "voluntary", "public"],
        "required": True,
    },
    {
        "key": "census_years",
        "label": "Which census years do you need?",
        "hint": "For example 1971, 1981, 1991, 2001 and 2011",
        "choices": [],
        "required": True,
    },
]
_ANSWERS: dict[str, JsonValue] = {"sector": "academic", "census_years": "1971 to 2011"}
REQUIREMENT_EXAMPLE: dict[str, JsonValue] = {
    "id": "req_01JA0D7K3M",
    "project_id": "prj_01J9Z8Q4V6",
    "dataset_id": "ds-ons-ls",
    "dataset_title": "ONS Longitudinal Study",
    "key": "ls_supplementary_form",
    "kind": "supplementary_form",
    "name": "LS supplementary form",
    "accepted_by": "ONS",
    "description": "The Longitudinal Study's supplementary form.",
    "questions": _QUESTIONS,
    "answers": _ANSWERS,
    "status": "submitted",
    "return_reason": None,
    "created_at": "2026-11-20T09:00:00Z",
    "submitted_by": "res-alice",
    "submitted_at": "2026-11-21T09:00:00Z",
    "decided_by": None,
    "decided_at": None,
}


class FormQuestionRead(BaseModel):
    key: str
    label: str
    hint: str | None = None
    choices: list[str] = []
    required: bool = True


class RequirementRead(BaseModel):
    """One requirement of a requested dataset on an application, and where it stands."""

    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [REQUIREMENT_EXAMPLE]}
    )

    id: str
    project_id: str
    dataset_id: str
    dataset_title: str
    key: str
    kind: str
    name: str
    accepted_by: str = Field(description="the data-owner organisation that accepts or returns it")
    description: str
    questions: list[FormQuestionRead]
    answers: dict[str, str] | None
    status: RequirementStatus
    return_reason: str | None
    created_at: dt.datetime
    submitted_by: str | None
    submitted_at: dt.datetime | None
    decided_by: str | None
    decided_at: dt.datetime | None


class RequirementListItem(RequirementRead):
    """A requirement with the application it belongs to, as the dataset's team lists them."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **REQUIREMENT_EXAMPLE,
                    "project_title": "Social mobility across four censuses",
                    "project_status": "under_review",
                    "lead_researcher_id": "res-alice",
                    "lead_name": "Alice Example",
                }
            ]
        }
    )

    project_title: str
    project_status: str
    lead_researcher_id: str
    lead_name: str | None = Field(None, description="the name on the lead's researcher record")


Answer = Annotated[str, Field(max_length=5000)]


class FormSubmission(Input):
    """The lead's answers, one per question key; a required question left blank, an answer
    outside a question's choices or a key the form does not ask is a 422 naming it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"answers": _ANSWERS}]})

    answers: dict[Annotated[str, Field(max_length=60)], Answer] = Field(max_length=50)
