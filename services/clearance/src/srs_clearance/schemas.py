"""Request and response models of the clearance API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

OutputKind = Literal["pre_publication", "publication", "code_file"]
CheckStatus = Literal["pass", "review", "fail"]

# --- stateless disclosure check ---------------------------------------------------------


class CellIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: list[str | int] = Field(default_factory=list, max_length=20)
    count: int = Field(ge=0, description="unweighted count of contributors")
    sum: float | None = Field(default=None, allow_inf_nan=False)
    largest: float | None = Field(default=None, allow_inf_nan=False)
    second_largest: float | None = Field(default=None, allow_inf_nan=False)
    has_negative: bool = False
    has_missing: bool = False


class RulesIn(BaseModel):
    """A checker's per-request relaxation of the rules (never a tightening)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"threshold": 5, "nk_k": 0.95}]}
    )

    threshold: int | None = Field(default=None, ge=1)
    p_ratio: float | None = Field(default=None, ge=0, le=1)
    nk_n: int | None = Field(default=None, ge=1, le=2)
    nk_k: float | None = Field(default=None, gt=0, le=1)
    min_dof: int | None = Field(default=None, ge=0)
    zeros_disclosive: bool | None = None


class SdcCheckRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "magnitude",
                    "dataset_ids": ["ds-csew-2019"],
                    "cells": [
                        {
                            "key": ["North", "2021"],
                            "count": 12,
                            "sum": 1234.5,
                            "largest": 300.0,
                            "second_largest": 200.0,
                        },
                        {
                            "key": ["South", "2021"],
                            "count": 3,
                            "sum": 1000.0,
                            "largest": 950.0,
                            "second_largest": 30.0,
                        },
                    ],
                },
                {"kind": "regression", "residual_dof": 25},
            ]
        },
    )

    kind: Literal["frequency", "magnitude", "regression"]
    dataset_ids: list[str] = Field(default_factory=list, max_length=50)
    cells: list[CellIn] = Field(default_factory=list, max_length=1_000_000)
    residual_dof: int | None = None
    statistic: (
        Literal["count", "sum", "mean", "median", "min", "max", "mode", "percentile"] | None
    ) = None
    rules: RulesIn | None = Field(default=None, description="checkers only; may only relax")


class CellOut(BaseModel):
    key: list[str | int]
    status: CheckStatus
    reasons: list[str]


class RulesOut(BaseModel):
    threshold: int
    p_ratio: float
    nk_n: int
    nk_k: float
    min_dof: int
    zeros_disclosive: bool


class SdcCheckResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "fail",
                    "cells": [
                        {"key": ["North", "2021"], "status": "pass", "reasons": []},
                        {
                            "key": ["South", "2021"],
                            "status": "fail",
                            "reasons": ["threshold", "p-ratio", "nk-rule"],
                        },
                    ],
                    "rules": {
                        "threshold": 10,
                        "p_ratio": 0.1,
                        "nk_n": 2,
                        "nk_k": 0.9,
                        "min_dof": 10,
                        "zeros_disclosive": True,
                    },
                }
            ]
        }
    )

    status: CheckStatus
    cells: list[CellOut]
    rules: RulesOut


# --- output requests ---------------------------------------------------------------------


class OutputCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
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


class GroupCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
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


class FileRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "fil_9a1b",
                    "group_id": "grp_77c2",
                    "filename": "table1.csv",
                    "content_type": "text/csv",
                    "size": 58,
                    "sha256": "3f0a9c1e5b7d2f4a6c8e0b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a",
                    "role": "table",
                    "check": {
                        "status": "fail",
                        "differencing": [],
                        "cells": [
                            {"key": ["South", "2021"], "status": "fail", "reasons": ["threshold"]}
                        ],
                    },
                }
            ]
        },
    )

    id: str
    group_id: str
    filename: str
    content_type: str
    size: int
    sha256: str
    role: Literal["table", "code", "document"]
    check_json: dict[str, Any] | None = Field(
        default=None,
        serialization_alias="check",
        description="the automatic check's findings once submitted: status pass, review or "
        "fail; not_checked (with a message) for a file no automatic check reads, "
        "which a checker must review; a spreadsheet reports each sheet; a table's (and "
        "each sheet's) `table` is what the check read, to draw: `header`, `rows` (at most "
        "2,000), `total_rows` and `truncated`",
    )


class GroupRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "grp_77c2",
                    "name": "Table 1",
                    "context": "Burglary victims by region and year",
                    "controls": "Counts below 10 suppressed",
                    "files": [],
                }
            ]
        }
    )

    id: str
    name: str
    context: str
    controls: str
    files: list[FileRead] = []


class OutputRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "out_5f0c",
                    "project_id": "prj_01J9Z8Q4V6",
                    "requester_id": "res-alice",
                    "kind": "pre_publication",
                    "title": "Burglary rates by region",
                    "status": "checked",
                    "automatic_status": "fail",
                    "submitted_at": "2026-11-25T10:00:00Z",
                    "due_at": "2026-12-02T10:00:00Z",
                    "overdue": False,
                    "groups": [],
                }
            ]
        },
    )

    id: str
    project_id: str
    requester_id: str
    kind: str
    title: str
    dataset_ids: list[str]
    exception_justification: str | None
    status: str
    automatic_status: str | None
    check_report: dict[str, Any] | None
    decision_reason: str | None
    override_reason: str | None = Field(
        default=None,
        description="why the decision approved what every independent review "
        "rejected; shown to checkers and support only",
    )
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    due_at: dt.datetime | None
    decided_at: dt.datetime | None
    overdue: bool = False
    priority: bool = False
    destruction_status: str | None
    destruction_deadline: dt.datetime | None
    groups: list[GroupRead] = []


class OutputStatusRead(BaseModel):
    """What a partner organisation may know: statuses, never contents."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "out_5f0c",
                    "project_id": "prj_01J9Z8Q4V6",
                    "kind": "publication",
                    "status": "approved",
                    "submitted_at": "2026-11-25T10:00:00Z",
                    "decided_at": "2026-11-27T15:00:00Z",
                    "destruction_status": None,
                }
            ]
        },
    )

    id: str
    project_id: str
    kind: str
    status: str
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    destruction_status: str | None


class OutputListItem(OutputStatusRead):
    """A list entry: the status and, for anyone but a partner organisation, the title."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "out_5f0c",
                    "project_id": "prj_01J9Z8Q4V6",
                    "kind": "publication",
                    "title": "Burglary rates by region",
                    "status": "approved",
                    "submitted_at": "2026-11-25T10:00:00Z",
                    "decided_at": "2026-11-27T15:00:00Z",
                    "destruction_status": None,
                }
            ]
        },
    )

    title: str | None = Field(
        default=None, description="the request's title; null for partner clients (no contents)"
    )


class QueueItem(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "out_5f0c",
                    "project_id": "prj_01J9Z8Q4V6",
                    "kind": "publication",
                    "title": "Burglary rates by region",
                    "status": "checked",
                    "automatic_status": "review",
                    "priority": True,
                    "due_at": "2026-12-02T10:00:00Z",
                    "overdue": False,
                    "clarification_pending": False,
                }
            ]
        }
    )

    id: str
    project_id: str
    kind: str
    title: str
    status: str
    automatic_status: str | None
    priority: bool
    due_at: dt.datetime | None
    overdue: bool
    clarification_pending: bool


class Question(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"text": "Table 2 row 'North' has 7 respondents: was it suppressed?"}]
        },
    )

    text: str = Field(min_length=3, max_length=5000)


class VoteCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"vote": "approve", "reason": "All cells at or above 10; controls documented."}
            ]
        },
    )

    vote: Literal["approve", "reject"]
    reason: str = Field(min_length=3, max_length=5000)


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


class DecisionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
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


class CommentCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "body": "Second checker: agree with the suppression pattern.",
                    "visibility": "private",
                }
            ]
        },
    )

    body: str = Field(min_length=1, max_length=5000)
    visibility: Literal["private", "shared"] = "shared"


class CommentRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "cmt_1c2d",
                    "author_id": "chk-1",
                    "visibility": "shared",
                    "body": "Is the South cell rounded?",
                    "created_at": "2026-11-26T10:00:00Z",
                }
            ]
        },
    )

    id: str
    author_id: str
    visibility: str
    body: str
    created_at: dt.datetime


class DestructionAttestation(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"statement": "All copies deleted from my laptop and the team drive on 2027-07-02."}
            ]
        },
    )

    statement: str = Field(min_length=10, max_length=5000)


class AuditEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    actor: str
    action: str
    detail: str | None
    file_id: str | None
    at: dt.datetime
    entry_hash: str | None


class AuditTrailRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "intact": True,
                    "entries": [
                        {
                            "actor": "res-alice",
                            "action": "submitted",
                            "detail": "automatic checks: fail",
                            "file_id": None,
                            "at": "2026-11-25T10:00:00Z",
                            "entry_hash": (
                                "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a0c2e4f6a8b0d2f4e6a8c0b"
                            ),
                        }
                    ],
                }
            ]
        }
    )

    intact: bool
    entries: list[AuditEntryRead]
