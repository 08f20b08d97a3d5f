"""Request and response models: project spaces and the accounts in them."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class AccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    researcher_id: str
    role: str
    enabled: bool
    disabled_reason: str | None


class LinkedExtractRead(BaseModel):
    """A de-identified IDBR linked extract the SRS team mapped into the space."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    task_id: str
    method: str
    matched_count: int
    unmatched_count: int
    mapped_at: dt.datetime


class ProjectSpaceRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "spc_01J9Z8R2K1",
                    "project_id": "prj_01J9Z8Q4V6",
                    "status": "active",
                    "dataset_ids": ["ds-csew-2019"],
                    "created_at": "2026-11-25T10:00:01Z",
                    "archived_at": None,
                    "linked_extracts": [
                        {
                            "id": "idbr-lnk_01JA0C5T2W",
                            "title": "IDBR linked extract (CRN matching)",
                            "task_id": "lnk_01JA0C5T2W",
                            "method": "crn",
                            "matched_count": 412,
                            "unmatched_count": 9,
                            "mapped_at": "2026-11-27T15:00:00Z",
                        }
                    ],
                    "accounts": [
                        {
                            "researcher_id": "res-alice",
                            "role": "lead",
                            "enabled": True,
                            "disabled_reason": None,
                        }
                    ],
                }
            ]
        },
    )

    id: str
    project_id: str
    status: str
    dataset_ids: list[str]
    created_at: dt.datetime
    archived_at: dt.datetime | None = None
    linked_extracts: list[LinkedExtractRead] = Field(
        [], description="de-identified IDBR linked extracts mapped into the space"
    )
    accounts: list[AccountRead] = []
