"""Events of the Research Support Helpdesk, kept by the accreditation service, on its topic
``srs.accreditation``.

Each names the request, whose it is, which team answers it (``support``: the helpdesk's
support staff; ``statistical_support``: the Statistical Support Team, for output
questions) and its subject, so the notifier can tell the right people without calling
back. Internal notes of staff are never published.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal

from pydantic import Field

from srs_common.contracts.accreditation import TOPIC
from srs_common.contracts.base import PERSONAL, Contract

HelpdeskTeam = Literal["support", "statistical_support"]
HelpdeskCategory = Literal["general", "accreditation", "project", "booking", "output_question"]

_WHEN = "2026-11-25T10:00:00Z"
_REQUEST: dict[str, Any] = {
    "request_id": "hdr_1",
    "researcher_id": "res-alice",
    "team": "support",
    "category": "booking",
    "subject": "Cannot book a terminal at Titchfield",
    "occurred_at": _WHEN,
}


class _HelpdeskRequest(Contract):
    request_id: str
    researcher_id: str
    team: HelpdeskTeam
    category: HelpdeskCategory
    # Written by the researcher: may name people or projects.
    subject: str = Field(json_schema_extra=PERSONAL)
    occurred_at: dt.datetime


class HelpdeskRequestOpened(_HelpdeskRequest):
    """A researcher asked the helpdesk for help; ``expected_answer_by`` is the first
    answer's service level, counted in the helpdesk's hours."""

    type: ClassVar[str] = "srs.helpdesk.request_opened.v1"
    topic: ClassVar[str] = TOPIC

    expected_answer_by: dt.datetime

    example: ClassVar[dict[str, Any]] = {**_REQUEST, "expected_answer_by": "2026-11-26T10:00:00Z"}


class HelpdeskStaffReplied(_HelpdeskRequest):
    """Staff of the request's team replied in its thread (the researcher is told; the
    reply itself stays in the service)."""

    type: ClassVar[str] = "srs.helpdesk.staff_replied.v1"
    topic: ClassVar[str] = TOPIC

    example: ClassVar[dict[str, Any]] = _REQUEST


class HelpdeskResearcherReplied(_HelpdeskRequest):
    """The researcher replied in their request's thread, reopening it if it was answered
    or resolved; ``expected_answer_by`` is when staff are expected to answer."""

    type: ClassVar[str] = "srs.helpdesk.researcher_replied.v1"
    topic: ClassVar[str] = TOPIC

    expected_answer_by: dt.datetime

    example: ClassVar[dict[str, Any]] = {**_REQUEST, "expected_answer_by": "2026-11-26T10:00:00Z"}


class HelpdeskRequestResolved(_HelpdeskRequest):
    """Staff of the request's team resolved it (who and when are in the audit log)."""

    type: ClassVar[str] = "srs.helpdesk.request_resolved.v1"
    topic: ClassVar[str] = TOPIC

    example: ClassVar[dict[str, Any]] = _REQUEST
