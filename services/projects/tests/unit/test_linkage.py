"""Linkage rules without I/O: Companies House numbers, the charge agreement, the task's
and the linked dataset request's state machines, and what agreement needs."""

from __future__ import annotations

import datetime as dt

import pytest

from srs_common.errors import IllegalTransition, RuleViolation
from srs_projects.linkage import crn, rules
from srs_projects.linkage.rules import LinkageAction, LinkageState, RequestAction

AT = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "number",
    ["00445790", "01234567", "SC123456", "NI012345", "OC301234", "SO300123", "NC001234",
     "R0000123", "LP012345", "FC031234", "CE001234", "sc 123456", " oc301234 "],
)  # fmt: skip
def test_companies_house_numbers_in_every_register_are_accepted(number):
    assert crn.problem(number) is None
    assert crn.check_all([number]) == [crn.normalise(number)]
    assert len(crn.normalise(number)) == 8


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("1234567", "has 7 characters, not 8"),
        ("012345678", "has 9 characters, not 8"),
        ("XX123456", "XX is not a Companies House prefix"),
        ("SC12345A", "must be 8 digits, or a 2-letter prefix and 6 digits"),
        ("S1234567", "S1 is not a Companies House prefix"),
        ("SC000000", "the serial number cannot be all zeros"),
        ("00000000", "the serial number cannot be all zeros"),
        ("0123-567", "must be 8 digits, or a 2-letter prefix and 6 digits"),
        ("", "has 0 characters, not 8"),
    ],
)
def test_invalid_numbers_say_why(number, why):
    assert crn.problem(number) == why


def test_every_invalid_number_is_named_and_a_long_list_is_counted():
    with pytest.raises(ValueError) as raised:
        crn.check_all(["01234567", "1234567", "XX123456"])
    message = str(raised.value)
    assert message.startswith("2 invalid Companies House reference numbers")
    assert "'1234567' has 7 characters" in message and "'XX123456' XX is not" in message
    assert "01234567" not in message

    many = [f"ZZ{n:06d}" for n in range(crn.NAMED_AT_MOST + 7)]
    with pytest.raises(ValueError, match=r"and 7 more$"):
        crn.check_all(many)


def test_the_first_charge_agreement_is_kept_and_withdrawing_it_clears_it():
    def charged(accepted):
        return {"idbr": {"method": "names_addresses", "charge_accepted": accepted}}

    first = rules.with_charge_agreement(charged(True), None, "res-alice", AT)
    assert first["idbr"]["charge_agreed_by"] == "res-alice"
    later = rules.with_charge_agreement(charged(True), first, "res-bob", AT + dt.timedelta(1))
    assert later["idbr"]["charge_agreed_at"] == AT.isoformat()
    assert later["idbr"]["charge_agreed_by"] == "res-alice"
    withdrawn = rules.with_charge_agreement(charged(False), later, "res-alice", AT)
    assert "charge_agreed_by" not in withdrawn["idbr"]
    with pytest.raises(RuleViolation) as refused:
        rules.check_charge_agreed(withdrawn)
    assert refused.value.extra["rule"] == "idbr_charge_agreement_required"
    rules.check_charge_agreed(first)
    rules.check_charge_agreed({"idbr": {"method": "crn", "crns": ["01234567"]}})
    rules.check_charge_agreed(None)


def test_the_task_moves_pending_in_progress_then_completed_or_failed():
    started = rules.task_transition(LinkageState.PENDING, LinkageAction.START)
    assert started == LinkageState.IN_PROGRESS
    assert rules.task_transition(started, LinkageAction.COMPLETE) == LinkageState.COMPLETED
    assert rules.task_transition(started, LinkageAction.FAIL) == LinkageState.FAILED
    with pytest.raises(IllegalTransition):
        rules.task_transition(LinkageState.PENDING, LinkageAction.COMPLETE)
    with pytest.raises(IllegalTransition):
        rules.task_transition(LinkageState.COMPLETED, LinkageAction.FAIL)


ASSESSMENT = {
    "user_need": {"strength": "strong", "note": "many projects"},
    "owner_support": [{"owner": "ONS", "supports": True}, {"owner": "DWP", "supports": True}],
    "feasibility": {"finding": "complex", "note": "shared keys"},
    "ons_resource": {"available": True, "note": "two analysts"},
}


def test_agreement_needs_every_owner_and_the_other_factors():
    rules.check_agreeable(ASSESSMENT)
    refusing = {
        **ASSESSMENT,
        "owner_support": [{"owner": "ONS", "supports": True}, {"owner": "DWP", "supports": False}],
    }
    with pytest.raises(RuleViolation, match="not supported by DWP"):
        rules.check_agreeable(refusing)
    for factor, value, rule in [
        ("user_need", {"strength": "weak"}, "user_need_weak"),
        ("feasibility", {"finding": "not_feasible"}, "not_feasible"),
        ("ons_resource", {"available": False}, "ons_resource_unavailable"),
    ]:
        with pytest.raises(RuleViolation) as refused:
            rules.check_agreeable({**ASSESSMENT, factor: value})
        assert refused.value.extra["rule"] == rule


def test_one_answer_per_data_owner():
    rules.check_owner_answers(["DWP", "ONS"], ["ONS", "DWP"])
    for answered, rule in [
        (["ONS"], "data_owner_support_missing"),
        (["ONS", "DWP", "HMRC"], "not_a_data_owner"),
        (["ONS", "ONS", "DWP"], "owner_answered_twice"),
    ]:
        with pytest.raises(RuleViolation) as refused:
            rules.check_owner_answers(answered, ["ONS", "DWP"])
        assert refused.value.extra["rule"] == rule


def test_a_request_is_agreed_only_after_assessment_and_decided_once():
    assessed = rules.request_transition("requested", RequestAction.ASSESS)
    assert rules.request_transition(assessed, RequestAction.ASSESS) == "under_assessment"
    assert rules.request_transition(assessed, RequestAction.AGREE) == "agreed"
    assert rules.request_transition("requested", RequestAction.DECLINE) == "declined"
    with pytest.raises(IllegalTransition):
        rules.request_transition("requested", RequestAction.AGREE)
    with pytest.raises(IllegalTransition):
        rules.request_transition("agreed", RequestAction.DECLINE)
