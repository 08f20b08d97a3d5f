"""A request's audit trail as its route shows it."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict


class OutputAuditEntryRead(BaseModel):
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
    entries: list[OutputAuditEntryRead]
