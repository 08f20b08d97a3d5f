"""Operations rules: saga progress and delays, lag, one action per dead letter."""

from __future__ import annotations

import datetime as dt

import pytest

from srs_common.errors import IllegalTransition
from srs_ops import domain
from srs_ops.cli import sse_events

T0 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


def test_saga_waits_on_the_first_missing_step_then_completes():
    waiting = domain.saga_progress(["srs.project.approved.v1"])
    assert (waiting.name, waiting.complete, waiting.waiting_on) == (
        "project-approval",
        False,
        "srs.project_space.provisioned.v1",
    )
    done = domain.saga_progress(
        ["srs.project.approved.v1", "srs.project_space.provisioned.v1", "srs.project.activated.v1"]
    )
    assert done.complete and done.waiting_on is None


def test_events_of_no_known_saga_are_not_a_saga():
    assert domain.saga_progress(["srs.booking.confirmed.v1"]).name is None


def test_each_step_carries_the_delay_since_the_previous_one():
    steps = domain.step_delays(
        [("a", T0), ("b", T0 + dt.timedelta(milliseconds=250)), ("c", T0 + dt.timedelta(seconds=2))]
    )
    assert [s.delay_ms for s in steps] == [None, 250, 1750]


def test_lag_is_end_minus_committed_and_unknown_without_an_end_offset():
    assert domain.lag(10, 4) == 6
    assert domain.lag(None, 4) is None
    assert domain.lag(10, -1) is None


@pytest.mark.parametrize("done", ["replayed", "discarded"])
def test_a_dead_letter_is_acted_on_once(done):
    domain.ensure_open(None)
    with pytest.raises(IllegalTransition) as err:
        domain.ensure_open(done)
    assert err.value.extra["current_state"] == done


def test_cli_reads_server_sent_events():
    lines = [
        "event: ops.event",
        "id: 1",
        'data: {"type": "x"}',
        "",
        ": ping",
        "",
        "event: ops.event",
        'data: {"type": "y"}',
        "",
    ]
    assert [e["type"] for e in sse_events(iter(lines))] == ["x", "y"]


def test_lag_state_against_the_thresholds():
    from srs_ops.domain import LagState, lag_state

    assert lag_state(0, 100, 1000) is LagState.OK
    assert lag_state(99, 100, 1000) is LagState.OK
    assert lag_state(100, 100, 1000) is LagState.WARNING
    assert lag_state(1000, 100, 1000) is LagState.CRITICAL
    assert lag_state(None, 100, 1000) is LagState.UNKNOWN


def test_lag_is_summed_per_group_and_judged():
    from srs_ops.schemas import LagRead
    from srs_ops.service import lag_by_group
    from srs_ops.settings import OpsSettings

    settings = OpsSettings(lag_warning_at=5, lag_critical_at=50)

    def row(group: str, partition: int, lag: int | None) -> LagRead:
        end = None if lag is None else 100
        return LagRead(
            group=group,
            topic="srs.projects",
            partition=partition,
            end_offset=end,
            committed_offset=100 - (lag or 0),
            lag=lag,
        )

    summary = lag_by_group(
        settings,
        [row("srs-b", 0, 3), row("srs-b", 1, 4), row("srs-a", 0, 0), row("srs-c", 0, None)],
    )
    assert [(g.group, g.partitions, g.lag, g.max_partition_lag, g.state) for g in summary] == [
        ("srs-a", 1, 0, 0, "ok"),
        ("srs-b", 2, 7, 4, "warning"),
        ("srs-c", 1, None, None, "unknown"),
    ]
    assert lag_by_group(settings, []) == []


def test_lag_thresholds_must_be_in_order():
    import pytest
    from pydantic import ValidationError

    from srs_ops.settings import OpsSettings

    with pytest.raises(ValidationError, match="lag_critical_at"):
        OpsSettings(lag_warning_at=100, lag_critical_at=100)
