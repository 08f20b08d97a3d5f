"""Request and response models: the extra steps a catalogue entry requires of a project
(the Longitudinal Study's supplementary form is the first)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

from srs_common.contracts.access import RequirementKind
from srs_common.inputs import Input

Key = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")
Choice = Annotated[str, Field(min_length=1, max_length=200)]

LS_FORM_EXAMPLE: dict[str, JsonValue] = {
    "key": "ls_supplementary_form",
    "kind": "supplementary_form",
    "name": "LS supplementary form",
    "accepted_by": "ONS",
    "description": "The Longitudinal Study's own questions, read by its team (CeLSIUS "
    "helps academic, voluntary and public-sector users complete it).",
    "questions": [
        {
            "key": "sector",
            "label": "Which sector are you employed in?",
            "hint": None,
            "choices": ["academic", "voluntary", "public"],
            "required": True,
        },
        {
            "key": "census_years",
            "label": "Which census years and LS variables do you need?",
            "hint": "For example 1971 to 2011, occupation and tenure",
            "choices": [],
            "required": True,
        },
    ],
}


class FormQuestionIn(Input):
    key: str = Key
    label: str = Field(min_length=1, max_length=300)
    hint: str | None = Field(None, max_length=500)
    choices: list[Choice] = Field(
        default_factory=list, max_length=20, description="when given, the only answers accepted"
    )
    required: bool = True


class DatasetRequirementIn(Input):
    key: str = Key
    kind: RequirementKind = RequirementKind.SUPPLEMENTARY_FORM
    name: str = Field(min_length=1, max_length=200)
    accepted_by: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="the data-owner organisation (a data_owner token's `org` claim) that "
        "accepts or returns the form; the dataset's owner when left out",
    )
    description: str = Field("", max_length=2000)
    questions: list[FormQuestionIn] = Field(min_length=1, max_length=30)

    @model_validator(mode="after")
    def _question_keys_unique(self) -> DatasetRequirementIn:
        keys = [q.key for q in self.questions]
        if len(keys) != len(set(keys)):
            raise ValueError("questions: each question needs its own key")
        return self


class DatasetRequirementsIn(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{"requirements": [LS_FORM_EXAMPLE]}]})

    requirements: list[DatasetRequirementIn] = Field(
        max_length=10, description="the whole list: an empty one removes every requirement"
    )

    @model_validator(mode="after")
    def _requirement_keys_unique(self) -> DatasetRequirementsIn:
        keys = [r.key for r in self.requirements]
        if len(keys) != len(set(keys)):
            raise ValueError("requirements: each requirement needs its own key")
        return self


class FormQuestionRead(BaseModel):
    key: str
    label: str
    hint: str | None = None
    choices: list[str] = []
    required: bool = True


class DatasetRequirementRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [LS_FORM_EXAMPLE]})

    key: str
    kind: RequirementKind
    name: str
    accepted_by: str
    description: str = ""
    questions: list[FormQuestionRead] = []
