"""Accreditation rules, pure: eligibility, validity, renewal, reminders, transitions."""

from __future__ import annotations

import datetime as dt

import pytest

from srs_accreditation import domain
from srs_accreditation.domain import Qualifications, SupervisorStanding
from srs_common.errors import IllegalTransition, RuleViolation

TODAY = dt.date(2026, 11, 25)
TRAINED = dt.date(2026, 10, 1)


def check(
    kind: str = "full",
    *,
    qualifications: Qualifications | None = None,
    training: dt.date | None = TRAINED,
    supervisor_id: str | None = None,
    supervisor: SupervisorStanding | None = None,
    same_org: bool = True,
) -> None:
    domain.check_eligibility(
        kind=kind,
        applicant_id="res-a",
        applicant_organisation="org-1",
        qualifications=qualifications or Qualifications(),
        training_completed_on=training,
        supervisor_id=supervisor_id,
        supervisor=supervisor,
        supervisor_same_organisation=same_org,
        today=TODAY,
    )


def rule_of(**kwargs) -> str:
    with pytest.raises(RuleViolation) as caught:
        check(**kwargs)
    return caught.value.extra["rule"]


@pytest.mark.parametrize(
    "qualifications",
    [
        Qualifications(degree="undergraduate", degree_quantitative=True),
        Qualifications(degree="doctorate", degree_quantitative=True),
        Qualifications(quantitative_research_years=3),
    ],
)
def test_full_accepts_a_quantitative_degree_or_three_years_experience(qualifications):
    check("full", qualifications=qualifications)
    check("srsa_approved", qualifications=qualifications)


@pytest.mark.parametrize(
    "qualifications",
    [
        Qualifications(degree="masters", degree_quantitative=False, quantitative_research_years=2),
        Qualifications(degree="none", degree_quantitative=True),
        Qualifications(quantitative_research_years=2),
    ],
)
def test_full_refuses_without_quantitative_degree_or_experience(qualifications):
    assert rule_of(kind="full", qualifications=qualifications) == "full_qualifications"
    assert rule_of(kind="srsa_approved", qualifications=qualifications) == "full_qualifications"


@pytest.mark.parametrize("kind", ["full", "provisional", "srsa_approved"])
def test_every_kind_needs_dated_safe_researcher_training(kind):
    assert rule_of(kind=kind, training=None) == "safe_researcher_training"
    assert rule_of(kind=kind, training=TODAY + dt.timedelta(days=1)) == "safe_researcher_training"


def test_provisional_needs_a_fully_accredited_supervisor_at_the_same_organisation():
    good = SupervisorStanding(organisation_id="org-1", fully_accredited_now=True)
    check("provisional", supervisor_id="res-s", supervisor=good)
    assert rule_of(kind="provisional") == "supervisor_required"
    assert (
        rule_of(kind="provisional", supervisor_id="res-s", supervisor=None)
        == "supervisor_fully_accredited"
    )
    assert (
        rule_of(kind="provisional", supervisor_id="res-a", supervisor=good)
        == "supervisor_fully_accredited"
    )
    lapsed = SupervisorStanding(organisation_id="org-1", fully_accredited_now=False)
    assert (
        rule_of(kind="provisional", supervisor_id="res-s", supervisor=lapsed)
        == "supervisor_fully_accredited"
    )
    elsewhere = SupervisorStanding(organisation_id="org-2", fully_accredited_now=True)
    assert (
        rule_of(kind="provisional", supervisor_id="res-s", supervisor=elsewhere)
        == "supervisor_same_organisation"
    )
    check("provisional", supervisor_id="res-s", supervisor=elsewhere, same_org=False)


def test_provisional_needs_no_quantitative_qualifications():
    good = SupervisorStanding(organisation_id="org-1", fully_accredited_now=True)
    check("provisional", qualifications=Qualifications(), supervisor_id="res-s", supervisor=good)


def test_srsa_approved_counts_as_fully_accredited():
    assert domain.Kind.SRSA_APPROVED in domain.FULLY_ACCREDITED_KINDS
    assert domain.Kind.PROVISIONAL not in domain.FULLY_ACCREDITED_KINDS


def test_validity_runs_the_policy_period_to_the_day_before_the_anniversary():
    assert domain.validity_period(TODAY, 3) == (TODAY, dt.date(2029, 11, 24))
    assert domain.validity_period(dt.date(2028, 2, 29), 1) == (
        dt.date(2028, 2, 29),
        dt.date(2029, 2, 27),
    )


def test_renewal_extends_from_the_old_end_date_by_the_full_period():
    # a legacy one-year provisional ending 2027-03-31 renewed under a three-year policy
    assert domain.renewed_until(dt.date(2027, 3, 31), 3) == dt.date(2030, 3, 31)


@pytest.mark.parametrize(
    ("days_left", "due"),
    [
        (120, None),
        (91, None),
        (90, 90),
        (45, 90),
        (31, 90),
        (30, 30),
        (10, 30),
        (0, 30),
        (-1, None),
    ],
)
def test_the_nearest_reminder_threshold_is_due(days_left, due):
    valid_until = TODAY + dt.timedelta(days=days_left)
    assert domain.due_reminder(valid_until, TODAY, [90, 30]) == due


def test_a_decided_application_cannot_be_decided_again():
    assert domain.application_transition("submitted", "approve") == "approved"
    assert domain.application_transition("resubmitted", "reject") == "rejected"
    for decided in ("approved", "rejected", "withdrawn"):
        for action in ("approve", "reject", "request information on", "withdraw", "submit"):
            with pytest.raises(IllegalTransition) as caught:
                domain.application_transition(decided, action)
            assert caught.value.extra["current_state"] == decided


def test_information_requested_is_resubmitted_not_decided():
    assert domain.application_transition("information_requested", "submit") == "resubmitted"
    with pytest.raises(IllegalTransition):
        domain.application_transition("information_requested", "approve")
    with pytest.raises(IllegalTransition):
        domain.application_transition("draft", "approve")


def test_accreditation_status_machine():
    assert domain.accreditation_transition("current", "suspend") == "suspended"
    assert domain.accreditation_transition("suspended", "reinstate") == "current"
    assert domain.accreditation_transition("suspended", "revoke") == "revoked"
    for current, action in [
        ("suspended", "suspend"),
        ("current", "reinstate"),
        ("revoked", "reinstate"),
        ("expired", "suspend"),
        ("revoked", "revoke"),
    ]:
        with pytest.raises(IllegalTransition):
            domain.accreditation_transition(current, action)
