"""Output request rules and the review state machine (no I/O)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

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

TRANSITIONS: dict[str, dict[OutputStatus, OutputStatus]] = {
    "submit": {OutputStatus.DRAFT: OutputStatus.CHECKED},
    "start review": {OutputStatus.CHECKED: OutputStatus.IN_REVIEW},
    "request clarification": {OutputStatus.IN_REVIEW: OutputStatus.CLARIFICATION_REQUESTED},
    "respond to": {OutputStatus.CLARIFICATION_REQUESTED: OutputStatus.IN_REVIEW},
    "review": {OutputStatus.IN_REVIEW: OutputStatus.IN_REVIEW},
    "approve": {OutputStatus.IN_REVIEW: OutputStatus.APPROVED},
    "reject": {OutputStatus.IN_REVIEW: OutputStatus.REJECTED},
    "withdraw": {s: OutputStatus.WITHDRAWN for s in (OutputStatus.DRAFT, *OPEN)},
    "change": {OutputStatus.DRAFT: OutputStatus.DRAFT},
}


def transition(current: str, action: str) -> OutputStatus:
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


class AuditRecord(Protocol):
    output_id: str
    actor: str
    action: str
    detail: str | None
    file_id: str | None
    at: dt.datetime
    prev_hash: str | None
    entry_hash: str | None


def audit_hash(entry: AuditRecord) -> str:
    """SHA-256 over the entry and its predecessor's hash: editing any entry breaks the chain."""
    body = json.dumps(
        [
            entry.prev_hash,
            entry.output_id,
            entry.actor,
            entry.action,
            entry.detail,
            entry.file_id,
            entry.at.astimezone(dt.UTC).isoformat(),
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def audit_chain_intact(entries: Sequence[AuditRecord]) -> bool:
    previous = None
    for entry in entries:
        if entry.prev_hash != previous or entry.entry_hash != audit_hash(entry):
            return False
        previous = entry.entry_hash
    return True
