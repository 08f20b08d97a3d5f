"""The requirement task's state machine and the form's answers (no I/O)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from srs_common.errors import IllegalTransition, RuleViolation


class RequirementStatus(StrEnum):
    """Where one requirement of one application stands."""

    REQUIRED = "required"  # the lead has not completed it yet
    SUBMITTED = "submitted"  # completed; the dataset's team decides
    ACCEPTED = "accepted"  # no longer holds the approval back
    RETURNED = "returned"  # back with the lead, with the team's reason


class RequirementAction(StrEnum):
    SUBMIT = "submit"
    ACCEPT = "accept"
    RETURN = "return"


S = RequirementStatus
A = RequirementAction

TRANSITIONS: dict[RequirementAction, dict[RequirementStatus, RequirementStatus]] = {
    A.SUBMIT: {S.REQUIRED: S.SUBMITTED, S.RETURNED: S.SUBMITTED},
    A.ACCEPT: {S.SUBMITTED: S.ACCEPTED},
    A.RETURN: {S.SUBMITTED: S.RETURNED},
}


def transition(current: str, action: RequirementAction) -> RequirementStatus:
    """The status after ``action``, or :class:`IllegalTransition` naming the current one."""
    target = TRANSITIONS[action].get(RequirementStatus(current))
    if target is None:
        raise IllegalTransition("dataset requirement", current, action)
    return target


def checked_answers(questions: list[dict[str, Any]], answers: dict[str, str]) -> dict[str, str]:
    """The answers to keep (trimmed, one per question), or a 422 :class:`RuleViolation`
    whose ``errors`` name each question answered wrongly: a required one left blank, an
    answer not among a question's choices, or a key the form does not ask."""
    errors: list[dict[str, str]] = []
    asked = {q["key"]: q for q in questions}
    for key in answers.keys() - asked.keys():
        errors.append({"field": f"answers.{key}", "message": "the form asks no such question"})
    kept: dict[str, str] = {}
    for key, question in asked.items():
        value = (answers.get(key) or "").strip()
        choices = question.get("choices") or []
        if not value:
            if question.get("required", True):
                errors.append({"field": f"answers.{key}", "message": "an answer is required"})
            continue
        if choices and value not in choices:
            errors.append(
                {"field": f"answers.{key}", "message": "choose one of: " + ", ".join(choices)}
            )
            continue
        kept[key] = value
    if errors:
        errors.sort(key=lambda e: e["field"])
        raise RuleViolation(
            "the form's answers are incomplete or invalid: "
            + "; ".join(f"{e['field']}: {e['message']}" for e in errors),
            rule="form_answers_invalid",
            errors=errors,
        )
    return kept


def outstanding(tasks: Iterable[Any]) -> list[Any]:
    """The requirements still holding an approval back: every one not accepted."""
    return [t for t in tasks if t.status != RequirementStatus.ACCEPTED]


def check_all_accepted(tasks: Iterable[Any]) -> None:
    """The panel's approval waits for every requirement of every requested dataset: a 422
    naming each one outstanding and where it stands."""
    pending = outstanding(tasks)
    if pending:
        named = "; ".join(
            f"{t.name} for {t.dataset_title} ({t.dataset_id}) is {t.status}" for t in pending
        )
        raise RuleViolation(
            f"the application cannot be approved until every dataset requirement is "
            f"accepted: {named}",
            rule="dataset_requirement_outstanding",
            requirements=[
                {
                    "id": t.id,
                    "dataset_id": t.dataset_id,
                    "name": t.name,
                    "status": t.status,
                    "accepted_by": t.accepted_by,
                }
                for t in pending
            ],
        )
