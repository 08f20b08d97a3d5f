"""Events published by the clearance service on ``srs.clearance``.

No event ever carries output contents: only identifiers, kinds, statuses and dates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal

from srs_common.contracts.base import AuditAnchored, Contract

TOPIC = "srs.clearance"

OutputKind = Literal["pre_publication", "publication", "code_file"]

_WHEN = "2026-11-25T10:00:00Z"
_OUTPUT = {
    "output_id": "out_1",
    "project_id": "prj_01J9Z8Q4V6",
    "organisation_id": "org-ntu",
    "requester_id": "res-alice",
    "kind": "pre_publication",
    "occurred_at": _WHEN,
}


class _Output(Contract):
    output_id: str
    project_id: str
    organisation_id: str | None = None
    requester_id: str
    kind: OutputKind
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = _OUTPUT


class OutputSubmitted(_Output):
    """An output request was submitted for clearance; ``due_at`` is the service level."""

    type: ClassVar[str] = "srs.output.submitted.v1"
    topic: ClassVar[str] = TOPIC

    due_at: dt.datetime | None = None
    priority: bool = False

    example: ClassVar[dict[str, Any]] = {
        **_OUTPUT,
        "due_at": "2026-12-02T17:00:00Z",
        "priority": False,
    }


class OutputChecked(_Output):
    """The automatic disclosure checks ran: ``pass``, ``review`` or ``fail``."""

    type: ClassVar[str] = "srs.output.checked.v1"
    topic: ClassVar[str] = TOPIC

    automatic_status: Literal["pass", "review", "fail"]

    example: ClassVar[dict[str, Any]] = {**_OUTPUT, "automatic_status": "review"}


class OutputClarificationRequested(_Output):
    """A checker asked the requester a question; the service-level clock stops."""

    type: ClassVar[str] = "srs.output.clarification_requested.v1"
    topic: ClassVar[str] = TOPIC


class OutputApproved(_Output):
    """The output is cleared and may leave the environment."""

    type: ClassVar[str] = "srs.output.approved.v1"
    topic: ClassVar[str] = TOPIC


class OutputRejected(_Output):
    """The output may not leave the environment."""

    type: ClassVar[str] = "srs.output.rejected.v1"
    topic: ClassVar[str] = TOPIC

    reason: str

    example: ClassVar[dict[str, Any]] = {**_OUTPUT, "reason": "cells below threshold"}


class OutputWithdrawn(_Output):
    """The requester withdrew the request before a decision."""

    type: ClassVar[str] = "srs.output.withdrawn.v1"
    topic: ClassVar[str] = TOPIC


class OutputOverdue(_Output):
    """The request passed its service-level due date without a decision."""

    type: ClassVar[str] = "srs.output.overdue.v1"
    topic: ClassVar[str] = TOPIC

    due_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {**_OUTPUT, "due_at": "2026-12-02T17:00:00Z"}


class OutputDestructionRequired(_Output):
    """The project completed: this cleared pre-publication output must be destroyed."""

    type: ClassVar[str] = "srs.output.destruction_required.v1"
    topic: ClassVar[str] = TOPIC

    deadline: dt.datetime

    example: ClassVar[dict[str, Any]] = {**_OUTPUT, "deadline": "2026-12-25T10:00:00Z"}


class OutputDestroyed(_Output):
    """The requester attested the output's destruction."""

    type: ClassVar[str] = "srs.output.destroyed.v1"
    topic: ClassVar[str] = TOPIC


class OutputDestructionOverdue(_Output):
    """No destruction attested by the deadline (accreditation suspends the researcher)."""

    type: ClassVar[str] = "srs.output.destruction_overdue.v1"
    topic: ClassVar[str] = TOPIC

    deadline: dt.datetime

    example: ClassVar[dict[str, Any]] = {**_OUTPUT, "deadline": "2026-12-25T10:00:00Z"}


class ClearanceAuditAnchored(AuditAnchored):
    """The clearance service's audit chain (every decision and download on an output
    request) was extended: its newest entry and that entry's hash."""

    type: ClassVar[str] = "srs.clearance.audit_anchored.v1"
    topic: ClassVar[str] = TOPIC

    example: ClassVar[dict[str, Any]] = {
        "seq": 212,
        "entries": 3,
        "anchored_at": _WHEN,
        "hash": "4b6d8f0a2c4e6a8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6a",
    }
