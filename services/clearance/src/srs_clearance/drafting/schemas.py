"""The bodies that draft an output request and its groups."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from srs_common.inputs import Input

OutputKind = Literal["pre_publication", "publication", "code_file"]


class OutputCreate(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "project_id": "prj_01J9Z8Q4V6",
                    "kind": "pre_publication",
                    "title": "Burglary rates by region, 2019-2021",
                    "dataset_ids": ["ds-csew-2019"],
                    "exception_justification": None,
                }
            ]
        },
    )

    project_id: str = Field(min_length=1, max_length=60)
    kind: OutputKind
    title: str = Field(min_length=3, max_length=300)
    dataset_ids: list[str] = Field(default_factory=list, max_length=50)
    exception_justification: str | None = Field(
        default=None,
        min_length=20,
        max_length=5000,
        description="why counts below the threshold are necessary and still safe (section 13)",
    )


class GroupCreate(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Table 1",
                    "context": "Burglary victims by region and year, CSEW 2019-2021",
                    "controls": "Counts below 10 suppressed; all counts rounded to base 5",
                }
            ]
        },
    )

    name: str = Field(min_length=1, max_length=200)
    context: str = Field(min_length=10, max_length=5000, description="what the output is")
    controls: str = Field(
        min_length=3,
        max_length=5000,
        description="disclosure controls applied (rounding, suppression)",
    )
