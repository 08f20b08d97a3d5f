"""How an output request reads: the request, its groups and files, its status."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


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
                    "project_title": "Burglary security effectiveness",
                    "requester_id": "res-alice",
                    "requester_name": "Alice Example",
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
    project_title: str | None = Field(
        default=None,
        description="the project's title once clearance has learnt of its approval",
    )
    requester_id: str
    requester_name: str | None = Field(
        default=None,
        description="the name on the requester's researcher record (null until clearance "
        "has learnt of it, or for a staff requester)",
    )
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
