"""Comments on a request."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from srs_common.inputs import Input


class CommentCreate(Input):
    model_config = ConfigDict(
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
    file_id: str | None = Field(
        default=None, max_length=60, description="the file the comment is about, if one"
    )


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
    file_id: str | None = None
    kind: str | None = Field(
        default=None,
        description="comment, question (a clarification asked) or answer (the requester's)",
    )
