"""The polling loops' waits: short while busy, longer at rest, cut short by a wake."""

from __future__ import annotations

import asyncio

import pytest

from srs_common.pacing import IdlePoll


async def test_idle_rounds_wait_longer_up_to_the_ceiling_and_work_resets_it() -> None:
    pace = IdlePoll(busy=0.001, idle=0.004)
    delays = []
    for _ in range(4):
        await pace.wait(worked=False)
        delays.append(pace.delay)
    assert delays == [0.002, 0.004, 0.004, 0.004]
    await pace.wait(worked=True)
    assert pace.delay == 0.001


async def test_a_wake_ends_a_long_wait_at_once_and_starts_over_busy() -> None:
    pace = IdlePoll(busy=0.01, idle=60)
    pace.delay = 60  # at rest long enough that the next wait is the full minute
    waiting = asyncio.create_task(pace.wait(worked=False))
    await asyncio.sleep(0.01)
    assert not waiting.done()
    pace.wake()
    await asyncio.wait_for(waiting, timeout=1)
    assert pace.delay == 0.01


async def test_a_wake_during_a_round_is_kept_for_the_wait_after_it() -> None:
    pace = IdlePoll(busy=0.01, idle=60)
    pace.delay = 60
    pace.clear()  # the round starts
    pace.wake()  # work arrives while the round runs
    await asyncio.wait_for(pace.wait(worked=False), timeout=1)  # no minute-long wait


def test_busy_must_be_positive() -> None:
    with pytest.raises(ValueError):
        IdlePoll(busy=0, idle=1)
