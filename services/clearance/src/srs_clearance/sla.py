"""Service level in working days (pure): England and Wales bank holidays, weekends off.

A working day is a whole calendar day in Europe/London that is neither a weekend nor an
England and Wales bank holiday. Service-level time only runs on working days, so a
request submitted on Friday afternoon is due five working days later, on the Friday
after (Monday if a bank holiday falls in between, one day later per holiday), and a
clarification pause gives back exactly the working time it took.
"""

from __future__ import annotations

import datetime as dt

from srs_common.workingdays import LONDON, is_working_day


def _next_midnight(moment: dt.datetime) -> dt.datetime:
    local_day = moment.astimezone(LONDON).date()
    return dt.datetime.combine(
        local_day + dt.timedelta(days=1), dt.time(0), tzinfo=LONDON
    ).astimezone(dt.UTC)


def add_working_time(start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
    """The moment ``duration`` of working time after ``start``."""
    cursor = start.astimezone(dt.UTC)
    remaining = duration
    while True:
        day_end = _next_midnight(cursor)
        if is_working_day(cursor.astimezone(LONDON).date()):
            available = day_end - cursor
            if remaining <= available:
                return cursor + remaining
            remaining -= available
        cursor = day_end


def working_time_between(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Working time between two moments (zero if ``end`` is not after ``start``)."""
    cursor = start.astimezone(dt.UTC)
    end = end.astimezone(dt.UTC)
    total = dt.timedelta(0)
    while cursor < end:
        day_end = min(_next_midnight(cursor), end)
        if is_working_day(cursor.astimezone(LONDON).date()):
            total += day_end - cursor
        cursor = day_end
    return total


def due_at(submitted_at: dt.datetime, working_days: int = 5) -> dt.datetime:
    """When a request submitted at ``submitted_at`` is due."""
    return add_working_time(submitted_at, dt.timedelta(days=working_days))


def resume_due_at(due: dt.datetime, paused_at: dt.datetime, resumed_at: dt.datetime) -> dt.datetime:
    """The due date after a clarification pause: the working time paused is given back."""
    return add_working_time(due, working_time_between(paused_at, resumed_at))


def working_days_left(
    due: dt.datetime, now: dt.datetime, paused_at: dt.datetime | None = None
) -> float:
    """Working days until ``due`` (negative once overdue). While a clarification pauses the
    clock, the time left is what it was when the clock stopped."""
    at = paused_at if paused_at is not None else now
    left = working_time_between(at, due) if due >= at else -working_time_between(due, at)
    return round(left / dt.timedelta(days=1), 2)


def due_today(due: dt.datetime, now: dt.datetime) -> bool:
    """Whether ``due`` falls later on the same London calendar day as ``now``."""
    return due >= now and due.astimezone(LONDON).date() == now.astimezone(LONDON).date()
