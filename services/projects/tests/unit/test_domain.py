"""Project rules with no I/O: the state machine, role rules, submission, reminders."""

from __future__ import annotations

import datetime as dt

import pytest

from srs_common.errors import IllegalTransition, RuleViolation
from srs_projects import domain
from srs_projects.domain import Accreditation, ProjectStatus

TODAY = dt.date(2027, 3, 1)
FULL = Accreditation(kind="full", status="current", valid_until=TODAY)
PROVISIONAL = Accreditation(kind="provisional", status="current", valid_until=TODAY)


@pytest.mark.parametrize(
    ("current", "action", "target"),
    [
        ("draft", "submit", "submitted"),
        ("submitted", "start_review", "under_review"),
        ("under_review", "request_information", "information_requested"),
        ("information_requested", "resubmit", "resubmitted"),
        ("resubmitted", "approve", "approved"),
        ("under_review", "reject", "rejected"),
        ("approved", "activate", "active"),
        ("active", "suspend", "suspended"),
        ("suspended", "resume", "active"),
        ("active", "complete", "completed"),
    ],
)
def test_allowed_transitions(current, action, target):
    assert domain.transition(current, action) == ProjectStatus(target)


@pytest.mark.parametrize(
    ("current", "action"),
    [
        ("draft", "approve"),
        ("submitted", "approve"),
        ("approved", "approve"),
        ("rejected", "approve"),
        ("information_requested", "reject"),
        ("suspended", "complete"),
        ("completed", "resume"),
        ("draft", "activate"),
    ],
)
def test_illegal_transitions_name_the_current_state(current, action):
    with pytest.raises(IllegalTransition) as raised:
        domain.transition(current, action)
    assert raised.value.extra["current_state"] == current


def test_accreditation_is_current_through_its_last_day_only():
    assert FULL.is_current(TODAY)
    assert not FULL.is_current(TODAY + dt.timedelta(days=1))
    assert not Accreditation("full", "suspended", TODAY).is_current(TODAY)
    assert Accreditation("srsa_approved", "current", TODAY).is_full(TODAY)
    assert not PROVISIONAL.is_full(TODAY)


def rule_of(**kwargs) -> str | None:
    try:
        domain.check_member("res-x", today=TODAY, **kwargs)
    except RuleViolation as broken:
        return broken.extra["rule"]
    return None


def test_role_rules():
    assert rule_of(role="researcher", accreditation=None) == "accreditation_required"
    assert rule_of(role="researcher", accreditation=FULL) is None
    assert rule_of(role="lead", accreditation=PROVISIONAL) == "lead_provisional"
    assert (
        rule_of(role="peer_reviewer_data", accreditation=PROVISIONAL, supervisor_id="res-a")
        == "full_accreditation_required"
    )
    assert rule_of(role="peer_reviewer_outputs", accreditation=None) == "outputs_reviewer_named"
    assert rule_of(role="peer_reviewer_outputs", accreditation=None, name="Carol") is None
    assert rule_of(role="researcher", accreditation=PROVISIONAL) == "supervisor_required"
    assert (
        rule_of(
            role="researcher",
            accreditation=PROVISIONAL,
            supervisor_id="res-a",
            supervisor_role="peer_reviewer_outputs",
            supervisor_accreditation=FULL,
        )
        == "supervisor_not_fully_accredited"
    )
    assert (
        rule_of(
            role="researcher",
            accreditation=PROVISIONAL,
            supervisor_id="res-a",
            supervisor_role="lead",
            supervisor_accreditation=FULL,
        )
        is None
    )


COMPLETE = {
    "lay_summary": "x",
    "public_benefit": "y",
    "expected_start_date": TODAY,
    "ethics_confirmed": True,
    "data_source_acknowledged": True,
    "linkage": None,
}


def test_submission_problems():
    assert domain.submission_problems(**COMPLETE) == []
    charged = {"idbr": {"method": "names_addresses", "charge_accepted": False}}
    # The charge agreement is its own rule (tests/unit/test_linkage.py).
    assert domain.submission_problems(**{**COMPLETE, "linkage": charged}) == []
    crn = {"idbr": {"method": "crn", "crns": ["01234567"], "charge_accepted": False}}
    assert domain.submission_problems(**{**COMPLETE, "linkage": crn}) == []
    assert (
        len(
            domain.submission_problems(
                **{**COMPLETE, "ethics_confirmed": False, "expected_start_date": None}
            )
        )
        == 2
    )


def test_completion_reminder_window():
    end = dt.date(2027, 6, 30)
    assert not domain.completion_reminder_due(end, end - dt.timedelta(days=31))
    assert domain.completion_reminder_due(end, end - dt.timedelta(days=30))
    assert domain.completion_reminder_due(end, end)
    assert not domain.completion_reminder_due(end, end + dt.timedelta(days=1))


def test_the_best_current_accreditation_decides():
    lapsed_full = Accreditation(kind="full", status="expired", valid_until=TODAY)
    long_provisional = Accreditation(
        kind="provisional", status="current", valid_until=TODAY + dt.timedelta(days=900)
    )
    assert domain.best_accreditation([], TODAY) is None
    assert domain.best_accreditation([PROVISIONAL, FULL], TODAY) == FULL
    assert domain.best_accreditation([long_provisional, FULL], TODAY) == FULL
    assert domain.best_accreditation([lapsed_full, PROVISIONAL], TODAY) == PROVISIONAL
    # Past its end date a "current" accreditation no longer counts.
    assert (
        domain.best_accreditation([FULL, long_provisional], TODAY + dt.timedelta(days=1))
        == long_provisional
    )


def test_overdue_states_and_what_ends_them():
    assert domain.transition("active", "overdue") == ProjectStatus.OVERDUE
    assert domain.transition("overdue", "suspend") == ProjectStatus.SUSPENDED
    assert domain.completion_target("overdue", None) == ProjectStatus.COMPLETED
    assert domain.completion_target("suspended", "overdue") == ProjectStatus.COMPLETED
    with pytest.raises(IllegalTransition):
        domain.completion_target("suspended", "staff")
    assert domain.overdue_ended("suspended", "overdue") and domain.overdue_ended("overdue", None)
    assert not domain.overdue_ended("suspended", "lead_revoked")
    assert domain.overdue_grace_ends_at(dt.date(2027, 6, 30), 30) == dt.datetime(
        2027, 7, 31, tzinfo=dt.UTC
    )
