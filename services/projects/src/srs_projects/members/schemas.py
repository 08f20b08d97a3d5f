"""Request and response models of members and member requests."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from srs_common.inputs import Input


class MemberCreate(Input):
    """A person named on the project. Lead, researchers and data peer reviewers need a
    current accreditation (data peer reviewers a full one); a provisional researcher
    names a fully accredited supervisor on the same project; an outputs-only peer
    reviewer needs no accreditation but must be named."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"researcher_id": "res-bob", "role": "researcher", "supervisor_id": "res-alice"},
                {
                    "researcher_id": "rev-carol",
                    "role": "peer_reviewer_outputs",
                    "name": "Carol Reviewer",
                },
            ]
        },
    )

    researcher_id: str = Field(min_length=1, max_length=100)
    role: Literal["researcher", "peer_reviewer_data", "peer_reviewer_outputs"]
    name: str | None = Field(default=None, max_length=200)
    supervisor_id: str | None = Field(default=None, max_length=100)


class MemberRequestRead(BaseModel):
    """A request to add a member who will see data to an approved project."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "mrq_01J9",
                    "project_id": "prj_01J9Z8Q4V6",
                    "researcher_id": "res-bob",
                    "role": "researcher",
                    "name": None,
                    "supervisor_id": None,
                    "status": "requested",
                    "requested_by": "res-alice",
                    "requested_at": "2027-01-10T09:00:00Z",
                    "decided_by": None,
                    "decided_at": None,
                    "reason": None,
                }
            ]
        },
    )

    id: str
    project_id: str
    researcher_id: str
    role: str
    name: str | None
    supervisor_id: str | None
    status: Literal["requested", "approved", "refused", "withdrawn"]
    requested_by: str
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    reason: str | None
