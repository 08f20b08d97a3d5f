"""The one classification step: what becomes of a record that could not be applied.

Every failure the consumer meets while applying a record goes through :func:`classify`,
which decides one of:

- **wait**: the database (or the network to it) is away. Not the event's fault: wait and
  try again, however long, never counting the attempt and never dead-lettering.
- **retry**: the handler failed; try again after exponential backoff (jitter is added by
  the caller) until the attempts run out.
- **dead-letter**: send the record to ``srs.dlq.<consumer>`` with its origin in headers.
- **quarantine**: dead-letter it *and* hold its key: later events with the same key are
  parked behind it until it is replayed or discarded, so none overtakes it.

A record that is not a CloudEvent at all is dead-lettered without quarantine: nothing in
it can be trusted, not even its key.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from srs_common.config import ServiceSettings
from srs_common.db import is_transient
from srs_common.events.envelope import UndecodableMessage

# Longest wait between two tries while the database is away (seconds, before jitter).
MAX_WAIT_SECONDS = 5.0


class Action(StrEnum):
    WAIT = "wait"
    RETRY = "retry"
    DEAD_LETTER = "dead-letter"
    QUARANTINE = "quarantine"


class Reason(StrEnum):
    """Why a record was dead-lettered (its ``srs_dlq_reason`` header)."""

    UNDECODABLE = "undecodable"
    CONTRACT_VIOLATION = "contract-violation"
    QUARANTINED = "quarantined"
    HANDLER_FAILED = "handler-failed"


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    # For dead-letter and quarantine: the dead letter's reason.
    reason: Reason | None = None
    # For wait and retry: seconds before the next try, before jitter.
    delay: float = 0.0

    @property
    def parks(self) -> bool:
        """The record leaves the partition for the dead-letter topic."""
        return self.action in (Action.DEAD_LETTER, Action.QUARANTINE)


class ContractViolation(ValueError):
    """The payload of a known type breaks its contract (raised when the record is read,
    never by a handler: a handler's own validation error is an ordinary failure)."""


class WaitingBehind(Exception):
    """An earlier event with the same key is in dead letters, unresolved."""

    def __init__(self, blocker: str) -> None:
        super().__init__(f"waiting behind dead letter {blocker}")
        self.blocker = blocker


def classify(
    failure: BaseException,
    *,
    key: str | None,
    attempts: int,
    waits: int,
    settings: ServiceSettings,
) -> Decision:
    """What to do after ``failure``.

    ``key`` is the decoded event's key (None: nothing to hold); ``attempts`` counts the
    handler runs so far, this failed one included; ``waits`` counts the waits already made
    for the database.
    """
    park = Action.QUARANTINE if key is not None else Action.DEAD_LETTER
    if isinstance(failure, UndecodableMessage):
        return Decision(Action.DEAD_LETTER, Reason.UNDECODABLE)
    if isinstance(failure, ContractViolation):
        # The payload breaks its contract: no retry will change that.
        return Decision(park, Reason.CONTRACT_VIOLATION)
    if isinstance(failure, WaitingBehind):
        return Decision(park, Reason.QUARANTINED)
    if is_transient(failure):
        base = settings.consumer_backoff_base_seconds
        return Decision(Action.WAIT, delay=min(MAX_WAIT_SECONDS, base * 2 ** min(waits + 1, 10)))
    if attempts >= settings.consumer_max_attempts:
        return Decision(park, Reason.HANDLER_FAILED)
    return Decision(
        Action.RETRY,
        delay=min(
            settings.consumer_backoff_max_seconds,
            settings.consumer_backoff_base_seconds * 2 ** (attempts - 1),
        ),
    )
