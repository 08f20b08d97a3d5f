"""Project rules and the review state machine (no I/O)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from srs_common.errors import IllegalTransition, RuleViolation

# The legal gateway an application is made under.
Gateway = Literal["DEA", "SRSA"]


class ProjectStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    INFORMATION_REQUESTED = "information_requested"
    RESUBMITTED = "resubmitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    # Past its expected completion date and not completed: reminders go to the lead and,
    # after a grace period, the project is suspended (accounts disabled).
    OVERDUE = "overdue"
    COMPLETED = "completed"


S = ProjectStatus


class ProjectAction(StrEnum):
    """What moves a project from one status to another (the state machine's edges)."""

    SUBMIT = "submit"
    START_REVIEW = "start_review"
    REQUEST_INFORMATION = "request_information"
    RESUBMIT = "resubmit"
    APPROVE = "approve"
    REJECT = "reject"
    ACTIVATE = "activate"
    SUSPEND = "suspend"
    RESUME = "resume"
    OVERDUE = "overdue"
    COMPLETE = "complete"


A = ProjectAction

TRANSITIONS: dict[ProjectAction, dict[ProjectStatus, ProjectStatus]] = {
    A.SUBMIT: {S.DRAFT: S.SUBMITTED},
    A.START_REVIEW: {S.SUBMITTED: S.UNDER_REVIEW, S.RESUBMITTED: S.UNDER_REVIEW},
    A.REQUEST_INFORMATION: {
        S.UNDER_REVIEW: S.INFORMATION_REQUESTED,
        S.RESUBMITTED: S.INFORMATION_REQUESTED,
    },
    A.RESUBMIT: {S.INFORMATION_REQUESTED: S.RESUBMITTED},
    A.APPROVE: {S.UNDER_REVIEW: S.APPROVED, S.RESUBMITTED: S.APPROVED},
    A.REJECT: {S.UNDER_REVIEW: S.REJECTED, S.RESUBMITTED: S.REJECTED},
    A.ACTIVATE: {S.APPROVED: S.ACTIVE},
    A.SUSPEND: {S.ACTIVE: S.SUSPENDED, S.APPROVED: S.SUSPENDED, S.OVERDUE: S.SUSPENDED},
    A.RESUME: {S.SUSPENDED: S.ACTIVE},
    A.OVERDUE: {S.ACTIVE: S.OVERDUE},
    A.COMPLETE: {S.ACTIVE: S.COMPLETED, S.OVERDUE: S.COMPLETED},
}

# The applicant may edit the application (and its member list) only while the panel is
# not looking at it.
EDITABLE = frozenset({S.DRAFT, S.INFORMATION_REQUESTED})
# Approved projects whose membership changes other services must hear about.
RUNNING = frozenset({S.APPROVED, S.ACTIVE, S.SUSPENDED, S.OVERDUE})
# Where a member can be added or removed: while editable, or while the project runs.
MEMBERSHIP_OPEN = EDITABLE | RUNNING
# Finished for good: nothing about membership changes any more.
CLOSED = frozenset({S.REJECTED, S.COMPLETED})
# What the public register lists: projects the panel accredited.
ACCREDITED = frozenset({S.APPROVED, S.ACTIVE, S.SUSPENDED, S.OVERDUE, S.COMPLETED})
# Where the panel may still set the priority it grants: from submission to its decision.
UNDECIDED = frozenset({S.SUBMITTED, S.UNDER_REVIEW, S.INFORMATION_REQUESTED, S.RESUBMITTED})


class SuspensionReason(StrEnum):
    """Why a project is suspended, which decides what ends the suspension."""

    STAFF = "staff"  # service staff suspended it; service staff resume it
    LEAD_REVOKED = "lead_revoked"  # ends when support hands the project to a new lead
    OVERDUE = "overdue"  # ends with an extension or completion


def transition(current: str, action: ProjectAction) -> ProjectStatus:
    """The status after ``action``, or :class:`IllegalTransition` naming the current one."""
    target = TRANSITIONS[action].get(ProjectStatus(current))
    if target is None:
        raise IllegalTransition("project", current, action)
    return target


def require_status(current: str, allowed: frozenset[ProjectStatus], action: str) -> None:
    if ProjectStatus(current) not in allowed:
        raise IllegalTransition("project", current, action)


def resume(current: str, activated: bool) -> ProjectStatus:
    """Where a suspended project goes back to: active, or approved when it was suspended
    before its space was provisioned (the provisioning then activates it)."""
    target = transition(current, A.RESUME)
    return target if activated else S.APPROVED


def overdue_ended(current: str, suspension_reason: str | None) -> bool:
    """True when the project is overdue, or suspended because its grace period ran out:
    the states an extension or completion brings to an end."""
    return current == S.OVERDUE or (
        current == S.SUSPENDED and suspension_reason == SuspensionReason.OVERDUE
    )


def completion_target(current: str, suspension_reason: str | None) -> ProjectStatus:
    """Completion from an active or overdue project, or one suspended for being overdue."""
    if current == S.SUSPENDED and suspension_reason == SuspensionReason.OVERDUE:
        return S.COMPLETED
    return transition(current, A.COMPLETE)


def overdue_grace_ends_at(expected_end_date: dt.date, grace_days: int) -> dt.datetime:
    """The grace period runs from the first day after the expected completion date."""
    day_after = expected_end_date + dt.timedelta(days=1)
    return dt.datetime.combine(day_after, dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=grace_days)


# --- people -------------------------------------------------------------------------


class Role(StrEnum):
    LEAD = "lead"
    RESEARCHER = "researcher"
    PEER_REVIEWER_DATA = "peer_reviewer_data"
    PEER_REVIEWER_OUTPUTS = "peer_reviewer_outputs"


# Roles that touch data need a current accreditation; outputs-only reviewers do not.
ACCREDITED_ROLES = frozenset({Role.LEAD, Role.RESEARCHER, Role.PEER_REVIEWER_DATA})
# "All approved researchers are recognised as accredited researchers and vice versa":
# an SRSA approval counts as full accreditation.
FULL_KINDS = frozenset({"full", "srsa_approved"})


@dataclass(frozen=True)
class Accreditation:
    """What the projects service knows of one researcher's accreditation."""

    kind: str
    status: str
    valid_until: dt.date

    def is_current(self, today: dt.date) -> bool:
        return self.status == "current" and self.valid_until >= today

    def is_full(self, today: dt.date) -> bool:
        return self.is_current(today) and self.kind in FULL_KINDS


def best_accreditation(held: list[Accreditation], today: dt.date) -> Accreditation | None:
    """The accreditation that decides what a researcher may do, of all they hold: a current
    one before a lapsed one, full before provisional, then the one valid longest. An old
    provisional accreditation expiring thus changes nothing for someone who also holds a
    current full one."""
    if not held:
        return None
    return max(held, key=lambda a: (a.is_current(today), a.is_full(today), a.valid_until))


def check_member(
    researcher_id: str,
    role: str,
    accreditation: Accreditation | None,
    today: dt.date,
    *,
    name: str | None = None,
    supervisor_id: str | None = None,
    supervisor_role: str | None = None,
    supervisor_accreditation: Accreditation | None = None,
) -> None:
    """Raise :class:`RuleViolation` unless ``researcher_id`` may hold ``role``.

    ``supervisor_*`` describe the named supervisor's membership of the same project
    (``supervisor_role`` None when they are not a member)."""
    if role == Role.PEER_REVIEWER_OUTPUTS:
        if not (name and name.strip()):
            raise RuleViolation(
                "a peer reviewer with access to cleared outputs only must be "
                "named on the application",
                rule="outputs_reviewer_named",
            )
        return
    if accreditation is None or not accreditation.is_current(today):
        raise RuleViolation(
            f"{researcher_id} does not hold a current accreditation, which the "
            f"{role} role requires",
            rule="accreditation_required",
            researcher_id=researcher_id,
        )
    if role == Role.PEER_REVIEWER_DATA and not accreditation.is_full(today):
        raise RuleViolation(
            f"{researcher_id} must be a fully accredited researcher to review with access to data",
            rule="full_accreditation_required",
            researcher_id=researcher_id,
        )
    if accreditation.is_full(today):
        return
    if role == Role.LEAD:
        raise RuleViolation(
            f"{researcher_id} is provisionally accredited, works under "
            "supervision and so cannot lead a project",
            rule="lead_provisional",
            researcher_id=researcher_id,
        )
    # A provisional researcher works under a fully accredited member of the same project.
    if supervisor_id is None:
        raise RuleViolation(
            f"{researcher_id} is provisionally accredited and must be "
            "supervised: name a supervisor_id",
            rule="supervisor_required",
            researcher_id=researcher_id,
        )
    if (
        supervisor_role not in (Role.LEAD, Role.RESEARCHER, Role.PEER_REVIEWER_DATA)
        or supervisor_accreditation is None
        or not supervisor_accreditation.is_full(today)
    ):
        raise RuleViolation(
            f"supervisor {supervisor_id} must be a fully accredited member of this project",
            rule="supervisor_not_fully_accredited",
            researcher_id=researcher_id,
            supervisor_id=supervisor_id,
        )


# --- the application ------------------------------------------------------------------


def submission_problems(
    *,
    lay_summary: str,
    public_benefit: str,
    expected_start_date: dt.date | None,
    ethics_confirmed: bool,
    data_source_acknowledged: bool,
    linkage: dict[str, Any] | None,
) -> list[str]:
    """What still stops an application from going to the panel (empty when complete)."""
    problems = []
    if not lay_summary.strip():
        problems.append("lay_summary is required")
    if not public_benefit.strip():
        problems.append("public_benefit must state the public good the project serves")
    if expected_start_date is None:
        problems.append("expected_start_date is required")
    if not ethics_confirmed:
        problems.append("ethics_confirmed: the ethical standards must be confirmed")
    if not data_source_acknowledged:
        problems.append("data_source_acknowledged: the data source must be acknowledged")
    # The charge agreement for names and addresses matching is its own rule
    # (linkage.rules.check_charge_agreed), checked before these.
    return problems


def idbr_performed_by(method: str) -> str:
    """CRN matching is done by the SRS team; names and addresses by the IDBR team."""
    return "srs_team" if method == "crn" else "idbr_team"


# --- completion -----------------------------------------------------------------------


def completion_reminder_due(
    expected_end_date: dt.date, today: dt.date, days_before: int = 30
) -> bool:
    """True from ``days_before`` days before the expected completion date until that date."""
    return expected_end_date - dt.timedelta(days=days_before) <= today <= expected_end_date


def check_extension(current_end: dt.date, requested_end: dt.date, today: dt.date) -> None:
    if requested_end <= current_end:
        raise RuleViolation(
            f"an extension must move the completion date beyond {current_end}",
            rule="extension_not_later",
        )
    if requested_end <= today:
        raise RuleViolation(
            "an extension must move the completion date into the future", rule="extension_in_past"
        )


# --- case studies ---------------------------------------------------------------------


class CaseStudy(StrEnum):
    """A completed project nominated as a case study: the lead's answer decides."""

    NOMINATED = "nominated"
    CONSENTED = "consented"
    DECLINED = "declined"


def check_nomination(status: str, case_study: str | None) -> CaseStudy:
    """Staff nominate a completed project once ("if the research project is complete ...
    we may seek to produce a case study"); a second nomination is a conflict."""
    if status != ProjectStatus.COMPLETED:
        raise IllegalTransition("project", status, "nominate as a case study")
    if case_study is not None:
        raise IllegalTransition("case study", case_study, "nominate again")
    return CaseStudy.NOMINATED


def answer_case_study(case_study: str | None, consent: bool) -> CaseStudy:
    """The lead answers a nomination once: consented or declined."""
    if case_study != CaseStudy.NOMINATED:
        raise IllegalTransition("case study", case_study or "not nominated", "answer")
    return CaseStudy.CONSENTED if consent else CaseStudy.DECLINED
