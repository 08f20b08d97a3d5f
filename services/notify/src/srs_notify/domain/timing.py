"""When: stale events, opted-out notices, retry backoff and the reminder window."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from zoneinfo import ZoneInfo

from srs_notify.domain.catalogue import NOTICES

LONDON = ZoneInfo("Europe/London")


def is_stale(event_time: dt.datetime | None, now: dt.datetime, *, max_age: dt.timedelta) -> bool:
    """An event older than ``max_age`` when consumed is history, not news."""
    return event_time is not None and now - event_time > max_age


def sends_to(notice: str, opted_out: set[str]) -> bool:
    """Whether a notice goes out given the notices the person turned off: only optional
    notices can be turned off; decisions and answers always go."""
    return not (NOTICES[notice].optional and notice in opted_out)


def retry_delay(
    attempts: int, *, base: float, cap: float, rand: Callable[[], float] = random.random
) -> dt.timedelta:
    """Exponential backoff with jitter: about base, 2*base, 4*base... never above cap."""
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    return dt.timedelta(seconds=delay * (0.5 + rand() / 2))


def reminder_window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Bookings that start tomorrow (Europe/London calendar day) are reminded today."""
    tomorrow = now.astimezone(LONDON).date() + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time(0), tzinfo=LONDON)
    end = dt.datetime.combine(tomorrow + dt.timedelta(days=1), dt.time(0), tzinfo=LONDON)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)
