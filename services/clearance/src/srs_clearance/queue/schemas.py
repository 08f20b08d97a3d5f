"""An entry of the checkers' queue."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class QueueItem(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "out_5f0c",
                    "project_id": "prj_01J9Z8Q4V6",
                    "project_title": "Burglary security effectiveness",
                    "kind": "publication",
                    "title": "Burglary rates by region",
                    "status": "checked",
                    "automatic_status": "review",
                    "priority": True,
                    "due_at": "2026-12-02T10:00:00Z",
                    "overdue": False,
                    "clarification_pending": False,
                    "requester_id": "res-alice",
                    "requester_name": "Alice Example",
                    "working_days_left": 3.5,
                    "due_today": False,
                    "reviews_needed": 2,
                    "reviewers": ["chk-1"],
                }
            ]
        }
    )

    id: str
    project_id: str
    project_title: str | None = Field(
        default=None, description="the project's title once clearance has learnt of it"
    )
    kind: str
    title: str
    status: str
    automatic_status: str | None
    priority: bool
    due_at: dt.datetime | None
    overdue: bool
    clarification_pending: bool
    requester_id: str | None = None
    requester_name: str | None = Field(
        default=None, description="the name on the requester's researcher record, once known"
    )
    working_days_left: float | None = Field(
        default=None,
        description="working days until the service-level deadline, negative once overdue; "
        "while a clarification is awaited, the time left when the clock stopped",
    )
    due_today: bool = Field(
        default=False, description="due later today (London), not overdue and not paused"
    )
    reviews_needed: int | None = Field(
        default=None, description="independent reviews this kind needs before the decision"
    )
    reviewers: list[str] = Field(
        default_factory=list,
        description="who has cast an independent review so far (never how they voted)",
    )
