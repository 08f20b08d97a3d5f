"""Clarifications, independent reviews (votes) and the consolidating decision."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from srs_common.inputs import Input


class Question(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"text": "Table 2 row 'North' has 7 respondents: was it suppressed?"}]
        },
    )

    text: str = Field(min_length=3, max_length=5000)


class VoteCreate(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"vote": "approve", "reason": "All cells at or above 10; controls documented."}
            ]
        },
    )

    vote: Literal["approve", "reject"]
    reason: str = Field(min_length=3, max_length=5000)
    files: dict[str, Literal["approve", "reject", "changes"]] = Field(
        default_factory=dict,
        max_length=500,
        description="the reviewer's verdict on each file of the request, by file id: "
        "approve, reject or changes (needs changes); optional",
    )


class VoteRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "checker_id": "chk-1",
                    "vote": "approve",
                    "reason": "All cells at or above 10.",
                    "created_at": "2026-11-26T10:00:00Z",
                }
            ]
        },
    )

    checker_id: str
    vote: str
    reason: str
    created_at: dt.datetime
    file_votes: dict[str, str] | None = Field(
        default=None, serialization_alias="files", description="the verdict on each file"
    )


class VotesRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "needed": 2,
                    "received": 1,
                    "blind": True,
                    "votes": [
                        {
                            "checker_id": "chk-1",
                            "vote": "approve",
                            "reason": "safe",
                            "created_at": "2026-11-26T10:00:00Z",
                        }
                    ],
                }
            ]
        }
    )

    needed: int
    received: int
    blind: bool
    votes: list[VoteRead]


class DecisionCreate(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"decision": "reject", "reason": "Cells below the threshold in Table 2."},
                {
                    "decision": "approve",
                    "reason": "Cleared after consolidation.",
                    "override_reason": "Both reviews found dominance in Table 3, but ONS already "
                    "publishes that cell at this level.",
                },
            ]
        },
    )

    decision: Literal["approve", "reject"]
    reason: str = Field(min_length=3, max_length=5000)
    override_reason: str | None = Field(
        default=None,
        min_length=10,
        max_length=5000,
        description="required to approve what every independent review rejected (and only "
        "then); recorded on the decision and in the audit trail",
    )
