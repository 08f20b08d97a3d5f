"""Working-day arithmetic across weekends and England and Wales bank holidays."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from srs_clearance import sla


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_five_working_days_skip_the_weekend():
    # Wednesday 25 Nov 2026 -> Wednesday 2 Dec 2026
    assert sla.due_at(at(2026, 11, 25, 10)) == at(2026, 12, 2, 10)


def test_christmas_and_the_substitute_boxing_day_are_not_working_days():
    # Friday 18 Dec 2026: Christmas Friday 25th and Boxing Day's substitute Monday 28th skip
    assert sla.due_at(at(2026, 12, 18, 14)) == at(2026, 12, 29, 14)


def test_easter_bank_holidays_are_skipped():
    # Thursday 2 Apr 2026: Good Friday 3 Apr and Easter Monday 6 Apr are holidays
    assert sla.due_at(at(2026, 4, 2, 9)) == at(2026, 4, 13, 9)  # BST: 10:00 London


def test_submission_on_a_weekend_starts_the_clock_on_monday():
    # Saturday 28 Nov 2026 -> clock starts Monday 00:00 London -> due Saturday 00:00,
    # i.e. the end of Friday 4 Dec
    assert sla.due_at(at(2026, 11, 28, 12)) == at(2026, 12, 5, 0)


def test_a_clarification_pause_gives_back_exactly_the_working_time_paused():
    submitted = at(2026, 11, 25, 10)
    due = sla.due_at(submitted)
    # paused Thursday 26th 10:00 -> answered Tuesday 1 Dec 10:00: Thu, Fri, Mon = 3 working days
    resumed = sla.resume_due_at(due, at(2026, 11, 26, 10), at(2026, 12, 1, 10))
    assert sla.working_time_between(at(2026, 11, 26, 10), at(2026, 12, 1, 10)) == dt.timedelta(
        days=3
    )
    assert resumed == at(2026, 12, 7, 10)  # Wed 2nd + 3 working days = Mon 7th


def test_a_pause_over_a_weekend_only_costs_nothing():
    due = at(2026, 12, 2, 10)
    assert sla.resume_due_at(due, at(2026, 11, 28, 9), at(2026, 11, 29, 18)) == due


moments = st.datetimes(
    min_value=dt.datetime(2025, 1, 1),
    max_value=dt.datetime(2028, 12, 31),
    timezones=st.just(dt.UTC),
)


@settings(max_examples=200, deadline=None)
@given(start=moments, days=st.integers(1, 10))
def test_due_date_holds_exactly_the_working_time_asked(start, days):
    due = sla.due_at(start, days)
    assert sla.working_time_between(start, due) == dt.timedelta(days=days)
    assert (due - start) >= dt.timedelta(days=days)


@settings(max_examples=200, deadline=None)
@given(
    start=moments, pause=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=20))
)
def test_a_pause_never_shortens_and_gives_back_what_it_took(start, pause):
    due = sla.due_at(start)
    resumed = sla.resume_due_at(due, start, start + pause)
    assert resumed >= due
    assert sla.working_time_between(due, resumed) == sla.working_time_between(start, start + pause)
