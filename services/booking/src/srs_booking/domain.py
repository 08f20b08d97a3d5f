"""Booking rules: places, opening hours, slots, eligibility, the booking state machine.

Pure functions and plain classes, no I/O. Times in and out are timezone-aware UTC;
opening hours are wall-clock times in the site's zone (Europe/London), so a 09:00
opening is 09:00Z in winter and 08:00Z in summer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

from srs_common.errors import AppError, Conflict, IllegalTransition, RuleViolation
from srs_common.workingdays import bank_holiday

SLOT = dt.timedelta(hours=1)

# Every catalogue access level admits the safe settings booked here (safe rooms and
# SafePods are the most trusted settings); the order is safe_setting < aoc_office < home.
ACCESS_LEVELS_PERMITTING_SAFE_SETTING = frozenset({"safe_setting", "aoc_office", "home"})
CURRENT_ACCREDITATION = "current"
ACTIVE_PROJECT = "active"


def invalid_input(detail: str, *, field: str, message: str, kind: str) -> AppError:
    """A 422 ``Invalid input`` naming one field, as request validation reports it."""
    return AppError(
        detail,
        status=422,
        title="Invalid input",
        errors=[{"field": field, "message": message, "type": kind}],
    )


class SiteHours(Protocol):
    kind: str
    places: int
    timezone: str
    opens_at: dt.time
    closes_at: dt.time
    open_weekdays: list[int]


class Period(Protocol):
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str


def place_codes(site: SiteHours) -> list[str]:
    """The bookable places of a site: terminals T1..Tn in a safe room, one POD in a SafePod."""
    if site.kind == "safepod":
        return ["POD"]
    return [f"T{n}" for n in range(1, site.places + 1)]


def local_date(site: SiteHours, moment: dt.datetime) -> dt.date:
    return moment.astimezone(ZoneInfo(site.timezone)).date()


def opening_slots(site: SiteHours, day: dt.date) -> tuple[dt.datetime, ...]:
    """Starts (UTC) of the hourly slots the site is normally open on local date ``day``:
    none at weekends (unless it opens then) or on bank holidays."""
    return _opening_slots(
        site.timezone, site.opens_at, site.closes_at, tuple(site.open_weekdays), day
    )


@lru_cache(maxsize=4096)
def _opening_slots(
    timezone: str,
    opens_at: dt.time,
    closes_at: dt.time,
    open_weekdays: tuple[int, ...],
    day: dt.date,
) -> tuple[dt.datetime, ...]:
    # Cached: the availability read asks for the same few sites and weeks all day long.
    if day.weekday() not in open_weekdays or bank_holiday(day) is not None:
        return ()
    zone = ZoneInfo(timezone)
    slots = []
    hour = opens_at.hour
    while dt.time(hour) < closes_at:
        slots.append(dt.datetime.combine(day, dt.time(hour), tzinfo=zone).astimezone(dt.UTC))
        hour += 1
    return tuple(slots)


def hourly(starts_at: dt.datetime, ends_at: dt.datetime) -> list[dt.datetime]:
    """The slot starts covering ``[starts_at, ends_at)``."""
    slots = []
    slot = starts_at
    while slot < ends_at:
        slots.append(slot)
        slot += SLOT
    return slots


def closure_covering(closures: Iterable[Period], slot: dt.datetime) -> Period | None:
    for closure in closures:
        if closure.starts_at < slot + SLOT and slot < closure.ends_at:
            return closure
    return None


def check_booking_times(
    site: SiteHours,
    closures: Sequence[Period],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    *,
    now: dt.datetime,
    horizon: dt.timedelta,
) -> list[dt.datetime]:
    """The booked slots if ``[starts_at, ends_at)`` is bookable, else the first reason not."""
    for name, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if (moment.minute, moment.second, moment.microsecond) != (0, 0, 0):
            raise RuleViolation(
                f"{name} must be on a whole hour: bookings are hourly slots", rule="whole_hours"
            )
    if ends_at <= starts_at:
        raise RuleViolation("ends_at must be after starts_at", rule="whole_hours")
    if starts_at <= now:
        raise RuleViolation("a booking must start in the future", rule="in_the_past")
    if starts_at > now + horizon:
        raise RuleViolation(
            f"bookings open at most {horizon.days} days ahead",
            rule="beyond_horizon",
            horizon_days=horizon.days,
        )
    day = local_date(site, starts_at)
    if local_date(site, ends_at - SLOT) != day:
        raise RuleViolation(
            "a booking covers hours of one day; book each day separately", rule="one_day"
        )
    holiday = bank_holiday(day)
    if holiday is not None:
        raise RuleViolation(
            f"the site is closed on {day}: {holiday} (bank holiday)", rule="bank_holiday"
        )
    if day.weekday() not in site.open_weekdays:
        raise RuleViolation(f"the site is not open on {day:%A}s", rule="outside_opening_hours")
    open_slots = set(opening_slots(site, day))
    slots = hourly(starts_at, ends_at)
    if not open_slots.issuperset(slots):
        raise RuleViolation(
            f"the site is open {site.opens_at:%H:%M}-{site.closes_at:%H:%M} {site.timezone} "
            f"on {day}",
            rule="outside_opening_hours",
        )
    for slot in slots:
        closure = closure_covering(closures, slot)
        if closure is not None:
            raise RuleViolation(f"the site is closed then: {closure.reason}", rule="site_closed")
    return slots


@dataclass(frozen=True)
class Eligibility:
    """What the local read models know about a researcher, a project and its datasets."""

    declaration_signed: bool
    accreditation_status: str | None
    accreditation_valid_until: dt.date | None
    member_active: bool | None
    project_status: str | None
    dataset_levels: dict[str, str | None]


def check_eligibility(
    facts: Eligibility, *, declaration_version: str, booking_date: dt.date
) -> None:
    """Refuse (422 with the rule) unless the researcher may book for the project."""
    if not facts.declaration_signed:
        raise RuleViolation(
            f"sign the security declaration (version {declaration_version}) before booking",
            rule="security_declaration",
            declaration_version=declaration_version,
        )
    if facts.accreditation_status is None:
        raise RuleViolation(
            "no accreditation is known for this researcher", rule="accreditation_not_current"
        )
    if facts.accreditation_status != CURRENT_ACCREDITATION:
        raise RuleViolation(
            f"the researcher's accreditation is {facts.accreditation_status}",
            rule="accreditation_not_current",
        )
    assert facts.accreditation_valid_until is not None
    if facts.accreditation_valid_until < booking_date:
        raise RuleViolation(
            f"the accreditation ends on {facts.accreditation_valid_until}, before {booking_date}",
            rule="accreditation_not_current",
        )
    if not facts.member_active:
        raise RuleViolation(
            "the researcher is not an active member of the project", rule="not_project_member"
        )
    if facts.project_status != ACTIVE_PROJECT:
        raise RuleViolation(
            f"the project is {facts.project_status or 'not yet active'}", rule="project_not_active"
        )
    for dataset_id, level in sorted(facts.dataset_levels.items()):
        if level is None:
            raise RuleViolation(
                f"dataset {dataset_id} is not in the catalogue known to booking",
                rule="dataset_not_permitted",
                dataset_id=dataset_id,
            )
        if level not in ACCESS_LEVELS_PERMITTING_SAFE_SETTING:
            raise RuleViolation(
                f"dataset {dataset_id} may not be used in a safe setting",
                rule="dataset_not_permitted",
                dataset_id=dataset_id,
            )


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


class BookingAction(StrEnum):
    """The booking state machine's actions; each value reads in "cannot <action> a booking"."""

    CANCEL = "cancel"
    CHECK_IN = "check in"
    RECORD_NO_SHOW = "record a no-show for"


TRANSITIONS: dict[BookingAction, dict[BookingStatus, BookingStatus]] = {
    BookingAction.CANCEL: {BookingStatus.CONFIRMED: BookingStatus.CANCELLED},
    BookingAction.CHECK_IN: {BookingStatus.CONFIRMED: BookingStatus.ATTENDED},
    BookingAction.RECORD_NO_SHOW: {BookingStatus.CONFIRMED: BookingStatus.NO_SHOW},
}


def transition(current: str, action: BookingAction) -> BookingStatus:
    """The status after ``action``, or :class:`IllegalTransition` naming the current one."""
    target = TRANSITIONS[action].get(BookingStatus(current))
    if target is None:
        raise IllegalTransition("booking", current, action)
    return target


def check_cancellable(starts_at: dt.datetime, now: dt.datetime, *, by_staff: bool) -> None:
    """Researchers cancel before the booking starts; support may cancel at any time."""
    if not by_staff and starts_at <= now:
        raise Conflict(
            "a booking that has started can no longer be cancelled by the researcher",
            current_state="started",
        )


def check_started(starts_at: dt.datetime, now: dt.datetime, action: BookingAction) -> None:
    """Attendance and no-shows are recorded only once the booking has started."""
    if now < starts_at:
        raise Conflict(f"cannot {action} a booking that has not started", current_state="upcoming")


def check_closure_period(starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime) -> None:
    """A closure is announced in advance and covers a non-empty period."""
    if ends_at <= starts_at:
        raise AppError("ends_at must be after starts_at", status=422, title="Invalid period")
    if starts_at <= now:
        raise RuleViolation(
            "closures are announced in advance: starts_at must be in the future", rule="in_the_past"
        )


def lost_hours(
    site: SiteHours, first_day: dt.date, last_day: dt.date, opens_at: dt.time, closes_at: dt.time
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Shorter opening hours on each open day from ``first_day`` to ``last_day``, as the
    UTC periods lost before the later opening and after the earlier closing."""
    for name, value in (("opens_at", opens_at), ("closes_at", closes_at)):
        if (value.minute, value.second, value.microsecond) != (0, 0, 0):
            raise RuleViolation(f"{name} must be on a whole hour", rule="whole_hours")
    if not site.opens_at <= opens_at < closes_at <= site.closes_at:
        raise RuleViolation(
            f"changed hours must lie within the usual {site.opens_at:%H:%M}-"
            f"{site.closes_at:%H:%M} and open before they close",
            rule="hours_reduction_only",
        )
    zone = ZoneInfo(site.timezone)
    periods = []
    day = first_day
    while day <= last_day:
        if opening_slots(site, day):

            def at(time: dt.time, day: dt.date = day) -> dt.datetime:
                return dt.datetime.combine(day, time, tzinfo=zone).astimezone(dt.UTC)

            if opens_at > site.opens_at:
                periods.append((at(site.opens_at), at(opens_at)))
            if closes_at < site.closes_at:
                periods.append((at(closes_at), at(site.closes_at)))
        day += dt.timedelta(days=1)
    return periods


@dataclass(frozen=True)
class SlotAvailability:
    starts_at: dt.datetime
    ends_at: dt.datetime
    free_places: list[str]


def site_availability(
    site: SiteHours,
    closures: Sequence[Period],
    booked: dict[dt.datetime, set[str]],
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime,
) -> list[SlotAvailability]:
    """Free places per future open slot of one site from ``first_day`` to ``last_day``;
    ``booked`` maps a slot start to the places taken then."""
    places = place_codes(site)
    result = []
    day = first_day
    while day <= last_day:
        for slot in opening_slots(site, day):
            if slot <= now or (closures and closure_covering(closures, slot) is not None):
                continue
            taken = booked.get(slot)
            free = [p for p in places if p not in taken] if taken else places
            result.append(SlotAvailability(slot, slot + SLOT, free))
        day += dt.timedelta(days=1)
    return result
