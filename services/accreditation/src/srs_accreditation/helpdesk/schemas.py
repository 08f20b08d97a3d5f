"""Request and response models of /v1/helpdesk."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from srs_accreditation.helpdesk.rules import (
    Author,
    Category,
    ReferenceKind,
    RequestStatus,
    Team,
)
from srs_common.inputs import Input

_REFERENCE: dict[str, Any] = {
    "kind": "booking",
    "id": "bkg_1",
    "label": "Titchfield, Wednesday 1 July 2026 at 09:00",
}
_OPENED: dict[str, Any] = {
    "subject": "Cannot book a terminal at Titchfield",
    "message": "The booking page says my project is not active, but it was approved.",
    "category": "booking",
    "reference": _REFERENCE,
}


class ReferenceIn(Input):
    """One of the researcher's own projects, outputs or bookings the request is about."""

    kind: ReferenceKind
    id: str = Field(min_length=1, max_length=100)
    label: str | None = Field(
        None,
        max_length=300,
        description="how the researcher saw it (a project's title, a booking's date)",
    )


class ReferenceRead(BaseModel):
    kind: ReferenceKind
    id: str
    label: str | None = None


class HelpdeskRequestCreate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [_OPENED]})

    subject: str = Field(min_length=1, max_length=200)
    message: str = Field(min_length=1, max_length=10_000)
    category: Category = Category.GENERAL
    reference: ReferenceIn | None = None


class MessageCreate(Input):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"body": "Which project is it? Its title, please."}]}
    )

    body: str = Field(min_length=1, max_length=10_000)


class Resolution(Input):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"message": "Your project is active again: book now."}]}
    )

    message: str | None = Field(
        None,
        min_length=1,
        max_length=10_000,
        description="a last reply to the researcher, added to the thread",
    )


class Closing(Input):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "I found the answer in the guide."}]}
    )

    reason: str | None = Field(None, min_length=1, max_length=2000)


class MessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    author: Author = Field(description="the researcher, or staff of the request's team")
    author_id: str
    internal: bool = Field(description="a staff note: never shown to the researcher")
    body: str
    created_at: dt.datetime


class HelpdeskRequestRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "hdr_1",
                    "researcher_id": "res-alice",
                    "researcher_name": "Alice Example",
                    "subject": _OPENED["subject"],
                    "category": "booking",
                    "team": "support",
                    "status": "open",
                    "reference": _REFERENCE,
                    "expected_answer_by": "2026-12-07T16:30:00Z",
                    "overdue": False,
                    "created_at": "2026-12-04T16:30:00Z",
                    "updated_at": "2026-12-04T16:30:00Z",
                    "first_answered_at": None,
                    "resolved_by": None,
                    "resolved_at": None,
                    "closed_at": None,
                }
            ]
        }
    )

    id: str
    researcher_id: str
    researcher_name: str
    subject: str
    category: Category
    team: Team
    status: RequestStatus
    reference: ReferenceRead | None
    expected_answer_by: dt.datetime | None = Field(
        description="while the request waits for staff (open): when an answer is expected, "
        "in the helpdesk's hours"
    )
    overdue: bool = Field(description="open and past its expected answer time")
    created_at: dt.datetime
    updated_at: dt.datetime
    first_answered_at: dt.datetime | None
    resolved_by: str | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None


class HelpdeskRequestDetail(HelpdeskRequestRead):
    messages: list[MessageRead] = Field(
        description="the thread, oldest first (internal notes only for staff)"
    )
