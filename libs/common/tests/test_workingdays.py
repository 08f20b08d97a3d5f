"""The platform's calendar: working days (weekends and England and Wales bank holidays off)
and office hours counted only while open, across evenings, weekends, bank holidays and
clock changes."""

from __future__ import annotations

import datetime as dt

import pytest

from srs_common.workingdays import (
    LONDON,
    OfficeHours,
    add_working_days,
    bank_holiday,
    is_working_day,
)

HELPDESK = OfficeHours(opens=dt.time(8), closes=dt.time(17))
DAY = dt.timedelta(hours=9)  # one working day of helpdesk hours


def london(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


def test_weekends_and_bank_holidays_are_not_working_days() -> None:
    assert is_working_day(dt.date(2026, 12, 4))  # a Friday
    assert not is_working_day(dt.date(2026, 12, 5))  # Saturday
    assert not is_working_day(dt.date(2026, 12, 25))  # Christmas Day
    assert bank_holiday(dt.date(2027, 12, 27)) is not None  # Christmas, substituted
    assert bank_holiday(dt.date(2027, 12, 1)) is None
    assert add_working_days(dt.date(2026, 12, 24), 2) == dt.date(2026, 12, 30)


@pytest.mark.parametrize(
    ("opened", "expected"),
    [
        # Within hours: the same time the next working day.
        ("2026-12-02T10:15", "2026-12-03T10:15"),
        # Friday afternoon: half an hour on Friday, the rest on Monday.
        ("2026-12-04T16:30", "2026-12-07T16:30"),
        # An evening: the whole of the next working day.
        ("2026-12-02T19:00", "2026-12-03T17:00"),
        # Before opening: the whole of that day.
        ("2026-12-03T06:45", "2026-12-03T17:00"),
        # A weekend: Monday, all day.
        ("2026-12-05T11:00", "2026-12-07T17:00"),
        # Christmas Eve afternoon: Christmas Day and Boxing Day (substitute Monday 28th) off.
        ("2026-12-24T15:00", "2026-12-29T15:00"),
        # Good Friday and Easter Monday 2027 (26 and 29 March) off.
        ("2027-03-25T09:00", "2027-03-30T09:00"),
    ],
)
def test_one_working_day_of_helpdesk_hours(opened: str, expected: str) -> None:
    assert HELPDESK.add(london(opened), DAY) == london(expected)


def test_one_working_hour_from_friday_half_past_four_is_monday_half_past_eight() -> None:
    assert HELPDESK.add(london("2026-12-04T16:30"), dt.timedelta(hours=1)) == london(
        "2026-12-07T08:30"
    )


def test_hours_follow_the_clocks_when_they_change() -> None:
    # Clocks go forward on Sunday 28 March 2027, between Good Friday and Easter Monday:
    # an hour on Thursday (GMT), the next on Tuesday from 08:00 BST (07:00Z).
    thursday = HELPDESK.add(london("2027-03-25T16:00"), dt.timedelta(hours=2))
    assert thursday == london("2027-03-30T09:00")
    assert thursday.astimezone(dt.UTC) == dt.datetime(2027, 3, 30, 8, 0, tzinfo=dt.UTC)
    # Clocks go back on Sunday 25 October 2026: Monday opens at 08:00 GMT.
    autumn = HELPDESK.add(london("2026-10-23T16:00"), dt.timedelta(hours=2))
    assert autumn == london("2026-10-26T09:00")
    assert autumn.astimezone(dt.UTC) == dt.datetime(2026, 10, 26, 9, 0, tzinfo=dt.UTC)


def test_open_time_between_counts_only_hours_on_working_days() -> None:
    assert HELPDESK.between(london("2026-12-04T16:30"), london("2026-12-07T08:30")) == (
        dt.timedelta(hours=1)
    )
    assert HELPDESK.between(london("2026-12-07T09:00"), london("2026-12-04T09:00")) == (
        dt.timedelta(0)
    )
    assert HELPDESK.between(london("2026-12-24T08:00"), london("2026-12-29T17:00")) == (2 * DAY)


def test_a_zero_duration_outside_hours_is_the_next_opening() -> None:
    assert HELPDESK.add(london("2026-12-05T12:00"), dt.timedelta(0)) == london("2026-12-07T08:00")
