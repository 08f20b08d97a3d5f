"""Working days and office hours in England (pure): one calendar for every service.

A working day is a Europe/London calendar day that is neither a Saturday, a Sunday nor an
England and Wales bank holiday (England and Wales share their bank holidays). Office
hours (the Research Support Helpdesk's Monday to Friday 08:00 to 17:00) are wall-clock
times on working days, so a clock change moves them with the clocks: 08:00 is 08:00 BST
in summer and 08:00 GMT in winter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> Any:
    # Imported on first use: the package loads every country's calendar (~25 MB), which
    # processes that never count working days need not pay.
    import holidays

    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def bank_holiday(day: dt.date) -> str | None:
    """The name of the England and Wales bank holiday on ``day``, if it is one."""
    name: str | None = _bank_holidays(day.year).get(day)
    return name


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not an England and Wales bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (weekends and bank holidays skipped)."""
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


@dataclass(frozen=True)
class OfficeHours:
    """Opening hours on working days, wall-clock times in ``zone``."""

    opens: dt.time
    closes: dt.time
    zone: ZoneInfo = LONDON

    def _window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The day's opening and closing moments (UTC), or None when closed all day."""
        if not is_working_day(day):
            return None
        opens = dt.datetime.combine(day, self.opens, tzinfo=self.zone).astimezone(dt.UTC)
        closes = dt.datetime.combine(day, self.closes, tzinfo=self.zone).astimezone(dt.UTC)
        return opens, closes

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The moment ``duration`` of open time after ``start``: time only runs while open,
        so two hours asked at 16:30 on a Friday end at 09:30 on the next working day.
        A zero duration outside hours gives the next opening."""
        moment = start.astimezone(dt.UTC)
        remaining = duration
        day = moment.astimezone(self.zone).date()
        while True:
            window = self._window(day)
            if window is not None:
                opens, closes = window
                begin = max(moment, opens)
                if begin < closes:
                    available = closes - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += dt.timedelta(days=1)

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Open time between two moments (zero if ``end`` is not after ``start``)."""
        start = start.astimezone(dt.UTC)
        end = end.astimezone(dt.UTC)
        total = dt.timedelta(0)
        day = start.astimezone(self.zone).date()
        while day <= end.astimezone(self.zone).date():
            window = self._window(day)
            if window is not None:
                begin, finish = max(window[0], start), min(window[1], end)
                if finish > begin:
                    total += finish - begin
            day += dt.timedelta(days=1)
        return total
