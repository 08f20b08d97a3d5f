"""What the booking pages show, worked out from the booking API's answers: the week view
of a site (days as columns, hourly sessions as rows, free places in each cell), times in
Europe/London words, and the API's refusals (problem+json ``rule``/``conflict``) as plain
sentences. No booking rule is decided here: the booking service decides, these say it."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
HOUR = dt.timedelta(hours=1)

# The booking service's refusals, by ``rule`` (422) or ``conflict`` (409), in words.
REFUSALS = {
    "whole_hours": "Bookings are made in whole hours. Choose a start and an end on the hour.",
    "in_the_past": "That time has already passed. Choose a later time.",
    "beyond_horizon": "Places can be booked up to {horizon_days} days ahead. Choose an earlier "
    "day.",
    "one_day": "A booking covers hours of a single day. Book each day separately.",
    "bank_holiday": "The site is closed on that day: it is a bank holiday ({holiday}).",
    "outside_opening_hours": "The site is not open for all of those hours. Choose hours within "
    "its opening times.",
    "site_closed": "The site is closed at that time ({reason}). Choose another time.",
    "security_declaration": "You must sign the security declaration before you book a place.",
    "declaration_version": "The security declaration has changed since you opened it. Read the "
    "new version and sign it.",
    "accreditation_not_current": "Your accreditation is not current, or it ends before the day "
    "of this booking. You can book once it has been renewed.",
    "not_project_member": "You are not an active member of that project, so you cannot book a "
    "place for it.",
    "project_not_active": "That project is not active yet. You can book once its project space "
    "is ready.",
    "dataset_not_permitted": "One of the project's datasets cannot be used in a safe setting "
    "yet. Contact support before booking.",
    "place_taken": "Someone else has just booked that place for some of those hours. Choose "
    "another time.",
    "researcher_overlap": "You already have a booking at an overlapping time. Choose another "
    "time, or cancel the other booking first.",
    "started": "This booking has started, so it can no longer be cancelled.",
}
# Which form field a refusal is about (the error summary links to it).
REFUSAL_FIELDS = {
    "not_project_member": "project_id",
    "project_not_active": "project_id",
    "dataset_not_permitted": "project_id",
    "accreditation_not_current": "project_id",
}
STATUS_WORDS = {
    "confirmed": "Booked",
    "cancelled": "Cancelled",
    "attended": "Attended",
    "no_show": "Did not attend",
}


def aware(value: str | None) -> dt.datetime | None:
    """An ISO time with a zone (the API's, or one a page sent back), else None."""
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(LONDON)


def day_words(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def time_words(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    return f"{local(starts_at):%H:%M} to {local(ends_at):%H:%M}"


def utc_iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def today() -> dt.date:
    return dt.datetime.now(LONDON).date()


def described(
    booking: dict[str, Any], sites: dict[str, dict[str, Any]], titles: dict[str, str]
) -> dict[str, Any]:
    """The booking with readable names and London times."""
    starts_at, ends_at = aware(booking["starts_at"]), aware(booking["ends_at"])
    assert starts_at is not None and ends_at is not None
    site = sites.get(booking["site_id"]) or {}
    return {
        **booking,
        "site_name": site.get("name", "A site no longer listed"),
        "place_name": ("SafePod" if booking["place"] == "POD" else f"Terminal {booking['place']}"),
        "project_title": titles.get(booking["project_id"], "A project you no longer belong to"),
        "day": day_words(local(starts_at).date()),
        "time": time_words(starts_at, ends_at),
        "status_words": STATUS_WORDS.get(booking["status"], booking["status"]),
        "starts": starts_at,
        "ends": ends_at,
    }


def refusal_words(status: int, body: Any) -> tuple[str, str]:
    """The sentence a refused booking (or cancellation) is explained with, and the form
    field it concerns."""
    problem = body if isinstance(body, dict) else {}
    key = str(problem.get("rule") or problem.get("conflict") or problem.get("current_state") or "")
    detail = str(problem.get("detail") or "")
    if key in REFUSALS:
        # The detail's own words after "...: " carry the closure's reason or the holiday.
        named = detail.split(": ", 1)[1] if ": " in detail else detail
        sentence = REFUSALS[key].format(
            horizon_days=problem.get("horizon_days", 56),
            holiday=named.removesuffix(" (bank holiday)"),
            reason=named or "closure announced by support",
        )
        return sentence, REFUSAL_FIELDS.get(key, "ends_at")
    if status == 409:
        return (
            "This booking can no longer be changed: it has been cancelled or attended.",
            "booking",
        )
    if problem.get("errors"):
        return "Choose a time from the week view and a project to book for.", "ends_at"
    return (
        "The booking could not be made" + (f": {detail}." if detail else ".") + " Try again.",
        "ends_at",
    )


def _covering(closures: list[dict[str, Any]], start: dt.datetime) -> dict[str, Any] | None:
    for closure in closures:
        begins, ends = aware(closure.get("starts_at")), aware(closure.get("ends_at"))
        if begins and ends and begins < start + HOUR and start < ends:
            return closure
    return None


def week_view(
    site: dict[str, Any],
    slots: list[dict[str, Any]],
    closures: list[dict[str, Any]],
    monday: dt.date,
    now: dt.datetime,
    bookable_until: dt.datetime | None = None,
) -> dict[str, Any]:
    """The week's table: the days the site opens as columns, its hourly sessions as rows,
    each cell free (with the places and a booking link), full, closed (with the closure's
    reason), not bookable yet (past the booking horizon), past or not open (e.g. a bank
    holiday)."""
    by_start = {aware(s.get("starts_at")): s for s in slots}
    opens = dt.time.fromisoformat(str(site["opens_at"]))
    closes = dt.time.fromisoformat(str(site["closes_at"]))
    weekdays = set(site.get("open_weekdays") or [])
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    days = [d for d in days if d.weekday() in weekdays]
    rows: list[dict[str, Any]] = []
    hour = opens.hour
    while dt.time(hour) < closes:
        cells: list[dict[str, Any]] = []
        for day in days:
            start = dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON).astimezone(dt.UTC)
            cell: dict[str, Any] = {"starts_at": utc_iso(start), "when": f"{hour:02d}:00 on "}
            cell["when"] += day_words(day)
            slot = by_start.get(start)
            closure = _covering(closures, start)
            if closure is not None:
                cell.update(state="closed", reason=closure.get("reason"))
            elif slot is not None and bookable_until is not None and start > bookable_until:
                cell.update(state="not_yet")
            elif slot is not None and slot.get("free"):
                cell.update(state="free", free=slot["free"])
            elif slot is not None:
                cell.update(state="full")
            elif start <= now:
                cell.update(state="past")
            else:
                cell.update(state="not_open")
            cells.append(cell)
        rows.append({"session": f"{hour:02d}:00 to {hour + 1:02d}:00", "cells": cells})
        hour += 1
    week_end = monday + dt.timedelta(days=7)
    shown = []
    for closure in closures:
        begins, ends = aware(closure.get("starts_at")), aware(closure.get("ends_at"))
        if begins and ends and local(begins).date() < week_end and local(ends).date() >= monday:
            shown.append(
                {
                    "reason": closure.get("reason"),
                    "day": day_words(local(begins).date()),
                    "time": time_words(begins, ends),
                    "last_day": day_words(local(ends - dt.timedelta(seconds=1)).date()),
                }
            )
    return {
        "days": [{"name": f"{d:%a} {d.day} {d:%b}", "full": day_words(d)} for d in days],
        "rows": rows,
        "closures": shown,
        "free_cells": sum(1 for r in rows for c in r["cells"] if c["state"] == "free"),
        "not_yet": any(c["state"] == "not_yet" for r in rows for c in r["cells"]),
        "bookable_until": f"{day_words(local(bookable_until).date())}, "
        f"{local(bookable_until):%H:%M}"
        if bookable_until
        else None,
    }


def end_choices(
    site: dict[str, Any], slots: list[dict[str, Any]], starts_at: dt.datetime
) -> list[dict[str, str]]:
    """The ends a booking from ``starts_at`` may have: each next hour while some place
    stays free (the booking service decides; this only offers sensible choices)."""
    by_start = {aware(s.get("starts_at")): s for s in slots}
    closes = dt.time.fromisoformat(str(site["closes_at"]))
    choices = []
    hour = starts_at
    while by_start.get(hour, {}).get("free"):
        hour += HOUR
        choices.append({"value": utc_iso(hour), "text": f"{local(hour):%H:%M}"})
        if local(hour).time() >= closes:
            break
    if not choices:  # the API says why (past, closed, full...)
        choices.append(
            {"value": utc_iso(starts_at + HOUR), "text": f"{local(starts_at + HOUR):%H:%M}"}
        )
    return choices


def free_place(
    site: dict[str, Any], slots: list[dict[str, Any]], starts_at: dt.datetime, ends_at: dt.datetime
) -> str:
    """A place free for every hour asked for; else the site's first place, for the
    booking service to refuse with its reason."""
    by_start = {aware(s.get("starts_at")): s for s in slots}
    places = list(site.get("places") or [])
    hour = starts_at
    while hour < ends_at and places:
        free = set(by_start.get(hour, {}).get("free_places") or [])
        places = [p for p in places if p in free]
        hour += HOUR
    return places[0] if places else str((site.get("places") or ["T1"])[0])
