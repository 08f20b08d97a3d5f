"""Accreditation rules and state machines (no I/O)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from srs_common.errors import IllegalTransition, RuleViolation


class Kind(StrEnum):
    FULL = "full"
    PROVISIONAL = "provisional"
    SRSA_APPROVED = "srsa_approved"


# "All approved researchers are recognised as accredited researchers and vice versa",
# and the SRSA prerequisites are those of a full accredited researcher: both count as
# fully accredited (to supervise a provisional researcher, or to peer review with data).
FULLY_ACCREDITED_KINDS = frozenset({Kind.FULL, Kind.SRSA_APPROVED})


# --- which services an accreditation opens -------------------------------------------


@dataclass(frozen=True)
class RecognisingService:
    """A secure data service that recognises an accreditation (``id`` is stable)."""

    id: str
    name: str


SRS = RecognisingService("srs", "ONS Secure Research Service")
DEA_ACCREDITED_SERVICES = RecognisingService(
    "dea-accredited-services",
    "Other secure data services accredited under the Digital Economy Act 2017",
)
UKDS_SECURE_LAB = RecognisingService("ukds-secure-lab", "UK Data Service Secure Lab")

# "Becoming an accredited researcher under the DEA will also allow access to other secure
# data services accredited under the DEA"; "ONS approved researchers may only access secure
# data through the Secure Research Service and the UK Data Service (UKDS) Secure Lab."
RECOGNISED_BY: dict[Kind, tuple[RecognisingService, ...]] = {
    Kind.FULL: (SRS, DEA_ACCREDITED_SERVICES),
    Kind.PROVISIONAL: (SRS, DEA_ACCREDITED_SERVICES),
    Kind.SRSA_APPROVED: (SRS, UKDS_SECURE_LAB),
}


def recognised_by(kind: str) -> list[dict[str, str]]:
    """The services an accreditation of ``kind`` is recognised by, as ``{id, name}``."""
    return [{"id": s.id, "name": s.name} for s in RECOGNISED_BY[Kind(kind)]]


class ApplicationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    INFORMATION_REQUESTED = "information_requested"
    RESUBMITTED = "resubmitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ApplicationAction(StrEnum):
    """What the applicant and the panel do to an application (the value is how a refused
    one reads: "cannot request information on a application that is draft")."""

    SUBMIT = "submit"
    EDIT = "edit"
    WITHDRAW = "withdraw"
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_INFORMATION = "request information on"


AWAITING_DECISION = (ApplicationStatus.SUBMITTED, ApplicationStatus.RESUBMITTED)

APPLICATION_TRANSITIONS: dict[ApplicationAction, dict[ApplicationStatus, ApplicationStatus]] = {
    ApplicationAction.SUBMIT: {
        ApplicationStatus.DRAFT: ApplicationStatus.SUBMITTED,
        ApplicationStatus.INFORMATION_REQUESTED: ApplicationStatus.RESUBMITTED,
    },
    ApplicationAction.EDIT: {
        ApplicationStatus.DRAFT: ApplicationStatus.DRAFT,
        ApplicationStatus.INFORMATION_REQUESTED: ApplicationStatus.INFORMATION_REQUESTED,
    },
    ApplicationAction.WITHDRAW: {
        s: ApplicationStatus.WITHDRAWN
        for s in (
            ApplicationStatus.DRAFT,
            ApplicationStatus.SUBMITTED,
            ApplicationStatus.INFORMATION_REQUESTED,
            ApplicationStatus.RESUBMITTED,
        )
    },
    ApplicationAction.APPROVE: {s: ApplicationStatus.APPROVED for s in AWAITING_DECISION},
    ApplicationAction.REJECT: {s: ApplicationStatus.REJECTED for s in AWAITING_DECISION},
    ApplicationAction.REQUEST_INFORMATION: {
        s: ApplicationStatus.INFORMATION_REQUESTED for s in AWAITING_DECISION
    },
}


def application_transition(current: str, action: ApplicationAction) -> ApplicationStatus:
    """The status after ``action``, or :class:`IllegalTransition` naming the current one."""
    target = APPLICATION_TRANSITIONS[action].get(ApplicationStatus(current))
    if target is None:
        raise IllegalTransition("application", current, action)
    return target


class AccreditationStatus(StrEnum):
    CURRENT = "current"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


class AccreditationAction(StrEnum):
    """What support (and time) do to an accreditation."""

    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    REVOKE = "revoke"
    EXPIRE = "expire"
    RENEW = "renew"


ACCREDITATION_TRANSITIONS: dict[
    AccreditationAction, dict[AccreditationStatus, AccreditationStatus]
] = {
    AccreditationAction.SUSPEND: {AccreditationStatus.CURRENT: AccreditationStatus.SUSPENDED},
    AccreditationAction.REINSTATE: {AccreditationStatus.SUSPENDED: AccreditationStatus.CURRENT},
    AccreditationAction.REVOKE: {
        AccreditationStatus.CURRENT: AccreditationStatus.REVOKED,
        AccreditationStatus.SUSPENDED: AccreditationStatus.REVOKED,
    },
    AccreditationAction.EXPIRE: {AccreditationStatus.CURRENT: AccreditationStatus.EXPIRED},
    AccreditationAction.RENEW: {AccreditationStatus.CURRENT: AccreditationStatus.CURRENT},
}


def accreditation_transition(current: str, action: AccreditationAction) -> AccreditationStatus:
    """The status after ``action``, or :class:`IllegalTransition` naming the current one."""
    target = ACCREDITATION_TRANSITIONS[action].get(AccreditationStatus(current))
    if target is None:
        raise IllegalTransition("accreditation", current, action)
    return target


# --- eligibility -------------------------------------------------------------------

DEGREE_LEVELS = ("none", "undergraduate", "masters", "doctorate")
MIN_QUANTITATIVE_YEARS = 3


@dataclass(frozen=True)
class Qualifications:
    degree: str = "none"
    degree_quantitative: bool = False
    quantitative_research_years: int = 0


@dataclass(frozen=True)
class SupervisorStanding:
    """What this service knows about a named supervisor."""

    organisation_id: str
    fully_accredited_now: bool


def check_eligibility(
    *,
    kind: str,
    applicant_id: str,
    applicant_organisation: str,
    qualifications: Qualifications,
    training_completed_on: dt.date | None,
    supervisor_id: str | None,
    supervisor: SupervisorStanding | None,
    supervisor_same_organisation: bool,
    today: dt.date,
) -> None:
    """Raise :class:`RuleViolation` naming the first unmet rule for ``kind``."""
    if training_completed_on is None:
        raise RuleViolation(
            "completed safe researcher training, with its date, is required",
            rule="safe_researcher_training",
        )
    if training_completed_on > today:
        raise RuleViolation(
            "the safe researcher training date is in the future", rule="safe_researcher_training"
        )
    if kind in (Kind.FULL, Kind.SRSA_APPROVED):
        has_degree = qualifications.degree != "none" and qualifications.degree_quantitative
        experienced = qualifications.quantitative_research_years >= MIN_QUANTITATIVE_YEARS
        if not (has_degree or experienced):
            raise RuleViolation(
                "full accreditation needs an undergraduate degree or higher with a significant "
                "proportion of maths or statistics, or at least three years of quantitative "
                "research experience",
                rule="full_qualifications",
            )
    if kind == Kind.PROVISIONAL:
        if not supervisor_id:
            raise RuleViolation(
                "a provisional application must name a supervisor", rule="supervisor_required"
            )
        if supervisor_id == applicant_id:
            raise RuleViolation(
                "a researcher cannot supervise themself", rule="supervisor_fully_accredited"
            )
        if supervisor is None or not supervisor.fully_accredited_now:
            raise RuleViolation(
                f"supervisor {supervisor_id} holds no current full accreditation",
                rule="supervisor_fully_accredited",
            )
        if supervisor_same_organisation and supervisor.organisation_id != applicant_organisation:
            raise RuleViolation(
                f"supervisor {supervisor_id} is not at the applicant's organisation",
                rule="supervisor_same_organisation",
            )


# --- validity ----------------------------------------------------------------------


def add_years(day: dt.date, years: int) -> dt.date:
    """Same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def validity_period(start: dt.date, years: int) -> tuple[dt.date, dt.date]:
    """``years`` of validity starting ``start``: the last valid day is the day before the
    anniversary (granted 2026-11-25 for three years: valid until 2029-11-24)."""
    return start, add_years(start, years) - dt.timedelta(days=1)


def renewed_until(old_valid_until: dt.date, years: int) -> dt.date:
    """A renewal before expiry extends from the old expiry date by the full period,
    whatever the old period was (a legacy one-year provisional gets the full one now)."""
    return validity_period(old_valid_until + dt.timedelta(days=1), years)[1]


def is_expired(valid_until: dt.date, today: dt.date) -> bool:
    return valid_until < today


def due_reminder(valid_until: dt.date, today: dt.date, reminder_days: Iterable[int]) -> int | None:
    """The reminder due now: the nearest threshold the end date has come within.

    Ten days out only the 30-day reminder is due (a late job never sends a stale 90)."""
    remaining = (valid_until - today).days
    if remaining < 0:
        return None
    due = [d for d in reminder_days if remaining <= d]
    return min(due) if due else None
