"""Operations rules, pure: saga progress, lag, what may be done with a dead letter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from srs_common.errors import IllegalTransition

# Known sagas: the event types that follow one another under one correlation id.
SAGAS: dict[str, tuple[str, ...]] = {
    "project-approval": (
        "srs.project.approved.v1",
        "srs.project_space.provisioned.v1",
        "srs.project.activated.v1",
    ),
}


@dataclass(frozen=True)
class SagaStep:
    type: str
    time: dt.datetime | None
    delay_ms: int | None


@dataclass(frozen=True)
class SagaProgress:
    name: str | None
    complete: bool
    waiting_on: str | None


def step_delays(events: list[tuple[str, dt.datetime | None]]) -> list[SagaStep]:
    """Each event with the time since the previous one (events in time order)."""
    steps: list[SagaStep] = []
    previous: dt.datetime | None = None
    for event_type, time in events:
        delay = None
        if previous is not None and time is not None:
            delay = round((time - previous).total_seconds() * 1000)
        steps.append(SagaStep(event_type, time, delay))
        previous = time or previous
    return steps


def saga_progress(types_seen: list[str]) -> SagaProgress:
    """Which known saga these events belong to (by their first step), whether it has
    completed, and otherwise the step it is waiting on."""
    for name, steps in SAGAS.items():
        if steps[0] in types_seen:
            for step in steps:
                if step not in types_seen:
                    return SagaProgress(name, False, step)
            return SagaProgress(name, True, None)
    return SagaProgress(None, False, None)


def lag(end_offset: int | None, committed: int) -> int | None:
    """End offset minus committed offset; unknown until the monitor has fetched it."""
    if end_offset is None or committed < 0:
        return None
    return max(0, end_offset - committed)


class LagState(StrEnum):
    """How far behind a consumer group is, against the configured thresholds."""

    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"
    UNKNOWN = "unknown"


def lag_state(total: int | None, warning_at: int, critical_at: int) -> LagState:
    """A group's summed lag against the thresholds; unknown while any partition's end
    offset is (the monitor has not fetched it yet)."""
    if total is None:
        return LagState.UNKNOWN
    if total >= critical_at:
        return LagState.CRITICAL
    if total >= warning_at:
        return LagState.WARNING
    return LagState.OK


class DeadLetterState(StrEnum):
    """Where a dead letter stands: open until support replays or discards it, once."""

    OPEN = "open"
    REPLAYED = "replayed"
    DISCARDED = "discarded"


class Resolution(StrEnum):
    """What support does with an open dead letter, recorded as the state it leaves."""

    REPLAY = "replayed"
    DISCARD = "discarded"


def dead_letter_state(action: str | None) -> DeadLetterState:
    """The state a dead letter's recorded action (None: none yet) leaves it in."""
    return DeadLetterState(Resolution(action).value) if action else DeadLetterState.OPEN


def ensure_open(action: str | None) -> None:
    """A dead letter is replayed or discarded at most once."""
    state = dead_letter_state(action)
    if state != DeadLetterState.OPEN:
        raise IllegalTransition("dead letter", state, "replay or discard")
