"""Notices of the Research Support Helpdesk: staff's replies and resolutions to the
researcher, new requests and researchers' replies to the team that answers them."""

from __future__ import annotations

from typing import Any

from srs_common.contracts import helpdesk
from srs_notify.domain.contexts import Plan, iso, one
from srs_notify.domain.recipients import CHECKERS, SUPPORT, Known, PlannedNotice

# Which staff mailbox each helpdesk team reads.
TEAM_MAILBOX = {"support": SUPPORT, "statistical_support": CHECKERS}


def _context(p: Any) -> dict[str, Any]:
    # The subject is the researcher's own words, on one line; the messages stay in the
    # service.
    return {
        "request_id": p.request_id,
        "request_subject": " ".join(p.subject.split()),
        "team": p.team,
    }


def _plan_opened(p: Any, _k: Known) -> list[PlannedNotice]:
    return one(
        "helpdesk_request_to_answer",
        TEAM_MAILBOX[p.team],
        p.request_id,
        **_context(p),
        category=p.category,
        expected_answer_by=iso(p.expected_answer_by),
    )


def _plan_staff_replied(p: Any, _k: Known) -> list[PlannedNotice]:
    return one("helpdesk_staff_replied", p.researcher_id, p.request_id, **_context(p))


def _plan_researcher_replied(p: Any, _k: Known) -> list[PlannedNotice]:
    return one(
        "helpdesk_researcher_replied",
        TEAM_MAILBOX[p.team],
        p.request_id,
        **_context(p),
        expected_answer_by=iso(p.expected_answer_by),
    )


def _plan_resolved(p: Any, _k: Known) -> list[PlannedNotice]:
    return one("helpdesk_request_resolved", p.researcher_id, p.request_id, **_context(p))


PLANS: dict[str, Plan] = {
    helpdesk.HelpdeskRequestOpened.type: _plan_opened,
    helpdesk.HelpdeskStaffReplied.type: _plan_staff_replied,
    helpdesk.HelpdeskResearcherReplied.type: _plan_researcher_replied,
    helpdesk.HelpdeskRequestResolved.type: _plan_resolved,
}
