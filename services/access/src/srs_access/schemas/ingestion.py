"""Request and response models: data and code ingestion into a project space."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from srs_access.ingestion.rules import IngestionKind, IngestionStatus
from srs_common.inputs import Input


class IngestionDecision(Input):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "checked: own code, no data"}]}
    )

    reason: str | None = Field(
        None, max_length=2000, description="required to refuse; the researcher reads it"
    )


class IngestionFindingRead(BaseModel):
    file: str = Field(description="the file; `archive.zip!inner/path` inside an archive")
    kind: str = Field(
        description="r_package, python_distribution, public_git_checkout, unknown_binary "
        "or unreadable_archive"
    )
    severity: str = Field(description="refuse (fails the check) or flag (the team looks)")
    reason: str


class IngestionFileRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    sha256: str
    size: int


class IngestionRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "ing_01JA",
                    "project_id": "prj_01J9Z8Q4V6",
                    "researcher_id": "res-alice",
                    "kind": "code",
                    "description": "Stata do-files",
                    "status": "checked",
                    "check_passed": True,
                    "findings": [],
                    "files": [{"name": "derive.do", "sha256": "ab12...", "size": 2048}],
                    "reason": None,
                    "decided_by": None,
                    "transferred_to": None,
                    "created_at": "2026-11-25T10:00:00Z",
                    "checked_at": "2026-11-25T10:00:00Z",
                    "decided_at": None,
                    "transferred_at": None,
                    "withdrawn_at": None,
                }
            ]
        },
    )

    id: str
    project_id: str
    researcher_id: str
    kind: IngestionKind
    description: str
    status: IngestionStatus
    check_passed: bool | None
    findings: list[IngestionFindingRead]
    files: list[IngestionFileRead] = []
    reason: str | None
    decided_by: str | None
    transferred_to: str | None = Field(
        description="where in the project space's store the files were transferred"
    )
    created_at: dt.datetime
    checked_at: dt.datetime | None
    decided_at: dt.datetime | None
    transferred_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
