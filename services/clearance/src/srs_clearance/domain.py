"""Output request rules and the review state machine (no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from srs_common.errors import IllegalTransition


class OutputStatus(StrEnum):
    DRAFT = "draft"
    CHECKED = "checked"  # submitted; the automatic checks have run
    IN_REVIEW = "in_review"
    CLARIFICATION_REQUESTED = "clarification_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class DestructionStatus(StrEnum):
    REQUIRED = "required"
    DESTROYED = "destroyed"


OPEN = frozenset(
    {OutputStatus.CHECKED, OutputStatus.IN_REVIEW, OutputStatus.CLARIFICATION_REQUESTED}
)


class OutputAction(StrEnum):
    """What may be done to a request; each value reads in "cannot <action> a ... request"."""

    SUBMIT = "submit"
    START_REVIEW = "start review"
    REQUEST_CLARIFICATION = "request clarification"
    RESPOND = "respond to"
    REVIEW = "review"
    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    CHANGE = "change"


TRANSITIONS: dict[OutputAction, dict[OutputStatus, OutputStatus]] = {
    OutputAction.SUBMIT: {OutputStatus.DRAFT: OutputStatus.CHECKED},
    OutputAction.START_REVIEW: {OutputStatus.CHECKED: OutputStatus.IN_REVIEW},
    OutputAction.REQUEST_CLARIFICATION: {
        OutputStatus.IN_REVIEW: OutputStatus.CLARIFICATION_REQUESTED
    },
    OutputAction.RESPOND: {OutputStatus.CLARIFICATION_REQUESTED: OutputStatus.IN_REVIEW},
    OutputAction.REVIEW: {OutputStatus.IN_REVIEW: OutputStatus.IN_REVIEW},
    OutputAction.APPROVE: {OutputStatus.IN_REVIEW: OutputStatus.APPROVED},
    OutputAction.REJECT: {OutputStatus.IN_REVIEW: OutputStatus.REJECTED},
    OutputAction.WITHDRAW: {s: OutputStatus.WITHDRAWN for s in (OutputStatus.DRAFT, *OPEN)},
    OutputAction.CHANGE: {OutputStatus.DRAFT: OutputStatus.DRAFT},
}


def transition(current: str, action: OutputAction) -> OutputStatus:
    """The status after ``action``, or :class:`IllegalTransition` naming the current one."""
    target = TRANSITIONS[action].get(OutputStatus(current))
    if target is None:
        raise IllegalTransition("output request", current, action)
    return target


# Project roles that may submit outputs; outputs-only peer reviewers may only view cleared ones.
SUBMITTING_ROLES = frozenset({"lead", "researcher", "peer_reviewer_data"})
VIEW_CLEARED_ONLY_ROLES = frozenset({"peer_reviewer_outputs"})


class OutputKind(StrEnum):
    PRE_PUBLICATION = "pre_publication"
    PUBLICATION = "publication"
    CODE_FILE = "code_file"


class Vote(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


@dataclass(frozen=True, slots=True)
class ReviewRule:
    """How many independent reviews (distinct checkers' votes) each kind of request needs
    before the consolidating decision. Set per kind in settings; two for every kind."""

    pre_publication: int = 2
    publication: int = 2
    code_file: int = 2


def reviews_needed(kind: str, rule: ReviewRule) -> int:
    """The one rule for "how many reviews does this kind need"."""
    return int(getattr(rule, OutputKind(kind).value))


def votes_unblinded(votes: int, needed: int) -> bool:
    """Blind review: a checker sees the others' votes only once every vote is in."""
    return votes >= needed


def vote_visible(
    voter: str, viewer: str, *, received: int, needed: int, viewer_is_requester: bool
) -> bool:
    """Whether ``viewer`` may see a vote (and its reason) cast by ``voter``.

    Every route showing votes asks this: a checker sees their own vote, and the others'
    only once every review is in (so never before casting their own while one is still
    to come); the requester never sees a vote, even one who also holds the checker role."""
    if viewer_is_requester:
        return False
    return voter == viewer or votes_unblinded(received, needed)


def override_needed(decision: str, votes: Sequence[str]) -> bool:
    """Approving what every independent reviewer rejected needs a recorded override reason."""
    return decision == Vote.APPROVE and bool(votes) and all(v == Vote.REJECT for v in votes)
