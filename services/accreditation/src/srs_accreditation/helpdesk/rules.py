"""The helpdesk's rules (pure): which team answers what, the request's state machine, and
when a first answer is expected in the helpdesk's hours."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from srs_common.errors import IllegalTransition
from srs_common.workingdays import OfficeHours

# Section 16: "available Monday to Friday from 8am until 5pm" (Europe/London, working days).
HELPDESK_HOURS = OfficeHours(opens=dt.time(8), closes=dt.time(17))


class Category(StrEnum):
    GENERAL = "general"
    ACCREDITATION = "accreditation"
    PROJECT = "project"
    BOOKING = "booking"
    OUTPUT_QUESTION = "output_question"


class Team(StrEnum):
    """Who answers: the helpdesk's support staff, or the Statistical Support Team (the
    ``checker`` role), "available through the Research Support Helpdesk"."""

    SUPPORT = "support"
    STATISTICAL_SUPPORT = "statistical_support"


# The role whose holders staff each team's queue.
TEAM_ROLE = {Team.SUPPORT: "support", Team.STATISTICAL_SUPPORT: "checker"}


class ReferenceKind(StrEnum):
    PROJECT = "project"
    OUTPUT = "output"
    BOOKING = "booking"


class Author(StrEnum):
    RESEARCHER = "researcher"
    STAFF = "staff"


class RequestStatus(StrEnum):
    OPEN = "open"  # waiting for staff
    AWAITING_RESEARCHER = "awaiting_researcher"  # staff replied
    RESOLVED = "resolved"  # staff resolved it; the researcher's reply reopens it
    CLOSED = "closed"  # final


class RequestAction(StrEnum):
    """What happens to a request (the value is how a refused one reads: "cannot reply
    to a helpdesk request that is closed")."""

    STAFF_REPLY = "reply to"
    RESEARCHER_REPLY = "reply on"
    RESOLVE = "resolve"
    CLOSE = "close"


_ACTIVE = (RequestStatus.OPEN, RequestStatus.AWAITING_RESEARCHER)
REQUEST_TRANSITIONS: dict[RequestAction, dict[RequestStatus, RequestStatus]] = {
    RequestAction.STAFF_REPLY: {s: RequestStatus.AWAITING_RESEARCHER for s in _ACTIVE},
    RequestAction.RESEARCHER_REPLY: {
        s: RequestStatus.OPEN for s in (*_ACTIVE, RequestStatus.RESOLVED)
    },
    RequestAction.RESOLVE: {s: RequestStatus.RESOLVED for s in _ACTIVE},
    RequestAction.CLOSE: {s: RequestStatus.CLOSED for s in (*_ACTIVE, RequestStatus.RESOLVED)},
}


def transition(current: str, action: RequestAction) -> RequestStatus:
    """The status after ``action``, or :class:`IllegalTransition` naming the current one."""
    target = REQUEST_TRANSITIONS[action].get(RequestStatus(current))
    if target is None:
        raise IllegalTransition("helpdesk request", current, action)
    return target


def team_for(category: Category) -> Team:
    """Output questions go to the Statistical Support Team, everything else to support."""
    return Team.STATISTICAL_SUPPORT if category is Category.OUTPUT_QUESTION else Team.SUPPORT


def expected_answer_by(asked_at: dt.datetime, within: dt.timedelta) -> dt.datetime:
    """When staff are expected to answer a question asked at ``asked_at``: ``within`` of
    helpdesk hours later (time outside the hours, at weekends and on bank holidays does
    not count)."""
    return HELPDESK_HOURS.add(asked_at, within)


def expected_after_researcher_reply(
    status: str, current: dt.datetime | None, replied_at: dt.datetime, within: dt.timedelta
) -> dt.datetime:
    """A reply to a request still waiting for staff keeps its place in the queue; one that
    reopens an answered or resolved request starts a new wait."""
    if status == RequestStatus.OPEN and current is not None:
        return current
    return expected_answer_by(replied_at, within)


def is_overdue(status: str, expected: dt.datetime | None, now: dt.datetime) -> bool:
    return status == RequestStatus.OPEN and expected is not None and expected < now
