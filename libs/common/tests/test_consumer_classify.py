"""The consumer's one classification step: each kind of failure and its outcome."""

from __future__ import annotations

from typing import ClassVar

import pytest
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from srs_common.contracts.base import Contract
from srs_common.events.consumer import Action, Reason, classify
from srs_common.events.consumer.classify import ContractViolation, WaitingBehind
from srs_common.events.envelope import UndecodableMessage

from .conftest import make_settings

SETTINGS = make_settings(
    "127.0.0.1:1",
    consumer_max_attempts=3,
    consumer_backoff_base_seconds=0.5,
    consumer_backoff_max_seconds=1.5,
)


class Sprocket(Contract):
    type: ClassVar[str] = "srs.test_classify.sprocket.v1"
    topic: ClassVar[str] = "srs.test-classify"
    example: ClassVar[dict] = {"teeth": 12}

    teeth: int


def decide(failure: BaseException, *, key: str | None = "k1", attempts: int = 1, waits: int = 0):
    return classify(failure, key=key, attempts=attempts, waits=waits, settings=SETTINGS)


def handler_validation_error() -> ValidationError:
    try:
        Sprocket.model_validate({"teeth": "many"})
    except ValidationError as exc:
        return exc
    raise AssertionError("the payload was accepted")


def test_an_undecodable_record_is_dead_lettered_without_holding_its_key():
    decision = decide(UndecodableMessage("missing CloudEvent headers: ce_id"), key="k1")
    assert decision.action is Action.DEAD_LETTER and decision.reason is Reason.UNDECODABLE
    assert decision.parks


@pytest.mark.parametrize(("key", "action"), [("k1", Action.QUARANTINE), (None, Action.DEAD_LETTER)])
def test_a_contract_violation_is_parked_at_once_and_holds_its_key(key, action):
    decision = decide(ContractViolation("teeth: not an integer"), key=key, attempts=0)
    assert decision.action is action and decision.reason is Reason.CONTRACT_VIOLATION


def test_an_event_behind_an_unresolved_dead_letter_is_quarantined_behind_it():
    decision = decide(WaitingBehind("evt-1"), attempts=0)
    assert decision.action is Action.QUARANTINE and decision.reason is Reason.QUARANTINED


@pytest.mark.parametrize(
    "failure",
    [
        OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused")),
        ConnectionResetError("reset by peer"),
        TimeoutError(),
    ],
    ids=["operational", "connection-reset", "timeout"],
)
def test_the_database_away_means_waiting_however_long_never_a_dead_letter(failure):
    delays = []
    for waits in range(15):
        decision = decide(failure, attempts=1, waits=waits)
        assert decision.action is Action.WAIT and not decision.parks
        delays.append(decision.delay)
    assert delays[0] == 1.0  # base 0.5 doubled
    assert delays == sorted(delays) and max(delays) == 5.0  # growing, capped


def test_a_failing_handler_is_retried_with_backoff_then_quarantined():
    failure = RuntimeError("cannot apply")
    first, second = decide(failure, attempts=1), decide(failure, attempts=2)
    assert (first.action, first.delay) == (Action.RETRY, 0.5)
    assert (second.action, second.delay) == (Action.RETRY, 1.0)
    last = decide(failure, attempts=3)
    assert last.action is Action.QUARANTINE and last.reason is Reason.HANDLER_FAILED
    keyless = decide(failure, attempts=3, key=None)
    assert keyless.action is Action.DEAD_LETTER and keyless.reason is Reason.HANDLER_FAILED


def test_the_retry_delay_is_capped():
    settings = make_settings(
        "127.0.0.1:1",
        consumer_max_attempts=10,
        consumer_backoff_base_seconds=0.5,
        consumer_backoff_max_seconds=1.5,
    )
    decision = classify(RuntimeError("x"), key="k", attempts=6, waits=0, settings=settings)
    assert (decision.action, decision.delay) == (Action.RETRY, 1.5)


def test_a_handlers_own_validation_error_is_an_ordinary_failure_not_a_contract_violation():
    """Only the runner's reading of the payload is a contract violation; a model a handler
    builds and fails to validate is retried like any other failure."""
    error = handler_validation_error()
    assert decide(error, attempts=1).action is Action.RETRY
    assert decide(error, attempts=3).reason is Reason.HANDLER_FAILED
