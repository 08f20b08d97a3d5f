"""The helpdesk's rules, pure: which team answers, the state machine, the expected answer
time in helpdesk hours."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from srs_accreditation.helpdesk import rules
from srs_accreditation.helpdesk.rules import Category, RequestAction, RequestStatus, Team
from srs_common.errors import IllegalTransition

LONDON = ZoneInfo("Europe/London")
DAY = dt.timedelta(hours=9)


def test_output_questions_go_to_the_statistical_support_team() -> None:
    assert rules.team_for(Category.OUTPUT_QUESTION) is Team.STATISTICAL_SUPPORT
    assert {rules.team_for(c) for c in Category if c is not Category.OUTPUT_QUESTION} == {
        Team.SUPPORT
    }


@pytest.mark.parametrize(
    ("current", "action", "after"),
    [
        ("open", RequestAction.STAFF_REPLY, "awaiting_researcher"),
        ("awaiting_researcher", RequestAction.RESEARCHER_REPLY, "open"),
        ("resolved", RequestAction.RESEARCHER_REPLY, "open"),  # the reply reopens it
        ("awaiting_researcher", RequestAction.RESOLVE, "resolved"),
        ("resolved", RequestAction.CLOSE, "closed"),
    ],
)
def test_transitions(current: str, action: RequestAction, after: str) -> None:
    assert rules.transition(current, action) == RequestStatus(after)


@pytest.mark.parametrize(
    ("current", "action"),
    [
        ("closed", RequestAction.RESEARCHER_REPLY),
        ("closed", RequestAction.CLOSE),
        ("resolved", RequestAction.STAFF_REPLY),
        ("resolved", RequestAction.RESOLVE),
    ],
)
def test_refused_transitions_name_the_state(current: str, action: RequestAction) -> None:
    with pytest.raises(IllegalTransition) as refused:
        rules.transition(current, action)
    assert refused.value.extra["current_state"] == current


def test_a_reply_to_a_waiting_request_keeps_its_place_and_a_reopening_one_waits_anew() -> None:
    earlier = dt.datetime(2026, 12, 7, 16, 30, tzinfo=LONDON)
    monday = dt.datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)
    assert rules.expected_after_researcher_reply("open", earlier, monday, DAY) == earlier
    assert rules.expected_after_researcher_reply("resolved", None, monday, DAY) == (
        dt.datetime(2026, 12, 8, 10, 0, tzinfo=LONDON)
    )


def test_overdue_only_while_waiting_for_staff() -> None:
    due = dt.datetime(2026, 12, 7, 16, 30, tzinfo=LONDON)
    later = due + dt.timedelta(minutes=1)
    assert rules.is_overdue("open", due, later)
    assert not rules.is_overdue("open", due, due)
    assert not rules.is_overdue("awaiting_researcher", None, later)
