"""Linkage rules (no I/O): the IDBR task's and the linked dataset request's state
machines, the charge agreement for names and addresses matching, and what must hold
before support agrees a new linked dataset."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from srs_common.errors import IllegalTransition, RuleViolation

# --- the SRS team's IDBR matching task -------------------------------------------------


class LinkageState(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"


class LinkageAction(StrEnum):
    START = "start"
    COMPLETE = "complete"
    FAIL = "fail"


TASK_TRANSITIONS: dict[LinkageAction, dict[LinkageState, LinkageState]] = {
    LinkageAction.START: {LinkageState.PENDING: LinkageState.IN_PROGRESS},
    LinkageAction.COMPLETE: {LinkageState.IN_PROGRESS: LinkageState.COMPLETED},
    # Work that cannot begin (no usable numbers) fails from pending too.
    LinkageAction.FAIL: {
        LinkageState.PENDING: LinkageState.FAILED,
        LinkageState.IN_PROGRESS: LinkageState.FAILED,
    },
}


def task_transition(current: str, action: LinkageAction) -> LinkageState:
    """The task's next state; 409 naming the current state when ``action`` is illegal."""
    target = TASK_TRANSITIONS[action].get(LinkageState(current))
    if target is None:
        raise IllegalTransition("linkage task", current, action.value)
    return target


def extract_title(method: str) -> str:
    """What the de-identified result is called in the project space."""
    how = "CRN matching" if method == "crn" else "business names and addresses matching"
    return f"IDBR linked extract ({how})"


# --- the charge for names and addresses matching ----------------------------------------


def with_charge_agreement(
    linkage: dict[str, Any] | None,
    previous: dict[str, Any] | None,
    actor: str,
    at: dt.datetime,
) -> dict[str, Any] | None:
    """Record who agreed to pay for names and addresses matching, and when. An agreement
    already on the application is kept (the first one counts); withdrawing it clears it."""
    idbr = (linkage or {}).get("idbr")
    if not idbr:
        return linkage
    if idbr.get("method") != "names_addresses" or not idbr.get("charge_accepted"):
        idbr.pop("charge_agreed_by", None)
        idbr.pop("charge_agreed_at", None)
        return linkage
    before = (previous or {}).get("idbr") or {}
    if before.get("charge_agreed_by") and before.get("method") == "names_addresses":
        idbr["charge_agreed_by"] = before["charge_agreed_by"]
        idbr["charge_agreed_at"] = before["charge_agreed_at"]
    else:
        idbr["charge_agreed_by"], idbr["charge_agreed_at"] = actor, at.isoformat()
    return linkage


def check_charge_agreed(linkage: dict[str, Any] | None) -> None:
    """Names and addresses matching is charged: the applicant's agreement to pay must be
    on the application before it goes to the Research Accreditation Panel."""
    idbr = (linkage or {}).get("idbr")
    if idbr and idbr.get("method") == "names_addresses" and not idbr.get("charge_agreed_by"):
        raise RuleViolation(
            "matching by business names and addresses is carried out by a separate ONS team "
            "and is charged: agree to pay (linkage.idbr.charge_accepted) before the "
            "application goes to the panel",
            rule="idbr_charge_agreement_required",
        )


# --- requests for new linked datasets -------------------------------------------------


class RequestState(StrEnum):
    REQUESTED = "requested"
    UNDER_ASSESSMENT = "under_assessment"
    AGREED = "agreed"
    DECLINED = "declined"


class RequestOutcome(StrEnum):
    """What support decides: the two ends of a request."""

    AGREED = "agreed"
    DECLINED = "declined"


class RequestAction(StrEnum):
    ASSESS = "assess"
    AGREE = "agree"
    DECLINE = "decline"


_OPEN = (RequestState.REQUESTED, RequestState.UNDER_ASSESSMENT)
REQUEST_TRANSITIONS: dict[RequestAction, dict[RequestState, RequestState]] = {
    RequestAction.ASSESS: {s: RequestState.UNDER_ASSESSMENT for s in _OPEN},
    RequestAction.AGREE: {RequestState.UNDER_ASSESSMENT: RequestState.AGREED},
    RequestAction.DECLINE: {s: RequestState.DECLINED for s in _OPEN},
}


def request_transition(current: str, action: RequestAction) -> RequestState:
    target = REQUEST_TRANSITIONS[action].get(RequestState(current))
    if target is None:
        raise IllegalTransition("linked dataset request", current, action.value)
    return target


class UserNeed(StrEnum):
    STRONG = "strong"
    MODERATE = "moderate"
    WEAK = "weak"


class Feasibility(StrEnum):
    STRAIGHTFORWARD = "straightforward"
    COMPLEX = "complex"
    NOT_FEASIBLE = "not_feasible"


def check_owner_answers(answered: list[str], owners: list[str]) -> None:
    """One answer per data owner of the source datasets: none missing, none extra."""
    missing = sorted(set(owners) - set(answered))
    unknown = sorted(set(answered) - set(owners))
    if len(answered) != len(set(answered)):
        raise RuleViolation("answer once for each data owner", rule="owner_answered_twice")
    if unknown:
        raise RuleViolation(
            f"not a data owner of the source datasets: {', '.join(unknown)}",
            rule="not_a_data_owner",
            owners=owners,
        )
    if missing:
        raise RuleViolation(
            f"record the support of every data owner; missing: {', '.join(missing)}",
            rule="data_owner_support_missing",
            missing=missing,
        )


def check_agreeable(assessment: dict[str, Any]) -> None:
    """Agreement needs every data owner's support, a strong or moderate user need, a
    feasible linkage and the ONS resource to do it (the four factors)."""
    refusing = [a["owner"] for a in assessment["owner_support"] if not a["supports"]]
    if refusing:
        raise RuleViolation(
            f"every data owner must support the linkage; not supported by {', '.join(refusing)}",
            rule="data_owner_support_required",
            owners=refusing,
        )
    if assessment["user_need"]["strength"] == UserNeed.WEAK:
        raise RuleViolation("the user need is assessed as weak", rule="user_need_weak")
    if assessment["feasibility"]["finding"] == Feasibility.NOT_FEASIBLE:
        raise RuleViolation("the linkage is assessed as not feasible", rule="not_feasible")
    if not assessment["ons_resource"]["available"]:
        raise RuleViolation(
            "ONS has not the resource to carry out the linkage", rule="ons_resource_unavailable"
        )
