"""What needs a researcher's attention, for the top of their dashboard: each item says
what it is in words and links to the page where they act on it."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from srs_portal.accreditation import KIND_NAMES, expiring
from srs_portal.bookings import upcoming_bookings
from srs_portal.platform import Platform, ServiceUnavailable

log = logging.getLogger(__name__)
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Attention:
    """One thing to act on: a heading, a sentence and where to act."""

    kind: str
    heading: str
    text: str
    href: str
    link_text: str


def _day(value: str | None) -> str:
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value or "")
    return f"{day.day} {day:%B %Y}"


def from_accreditation(
    applications: list[dict[str, Any]], accreditations: list[dict[str, Any]], today: dt.date
) -> list[Attention]:
    items = [
        Attention(
            kind="information-requested",
            heading="The panel has asked for more information",
            text=f"About your {KIND_NAMES.get(a.get('kind', ''), 'accreditation').lower()} "
            f"application: {a.get('information_requested') or ''}",
            href=f"/accreditation#application-{a['id']}",
            link_text="Answer the panel",
        )
        for a in applications
        if a.get("status") == "information_requested"
    ]
    for held in expiring(accreditations, today):
        name = KIND_NAMES.get(held.get("kind", ""), "accreditation").lower()
        items.append(
            Attention(
                kind="accreditation-expiring",
                heading="Your accreditation is about to expire",
                text=f"Your {name} ends on {_day(held.get('valid_until'))} "
                f"({held['days_left']} days). Apply to renew it before then.",
                href="/accreditation",
                link_text="Renew your accreditation",
            )
        )
    return items


async def from_outputs(platform: Platform, token: str) -> list[Attention]:
    """Output requests awaiting the researcher's answer to a checker, or the attestation
    that a pre-publication output was destroyed (with its deadline)."""
    try:
        page = await platform.get("clearance", "/v1/outputs", token=token, params={"limit": 200})
    except ServiceUnavailable:  # the rest of the dashboard still shows
        log.warning("the clearance service did not answer for the dashboard")
        return []
    items = []
    for output in (page or {}).get("items", []):
        title = output.get("title") or "an output request"
        if output.get("status") == "clarification_requested":
            items.append(
                Attention(
                    kind="clarification",
                    heading="A checker has asked you a question",
                    text=f"About your output request \u201c{title}\u201d.",
                    href=f"/outputs/{output['id']}",
                    link_text="Answer the checker",
                )
            )
        if output.get("destruction_status") == "required":
            detail = await platform.get("clearance", f"/v1/outputs/{output['id']}", token=token)
            deadline = (detail or {}).get("destruction_deadline")
            by = f" by {_day(deadline)}" if deadline else ""
            items.append(
                Attention(
                    kind="destruction",
                    heading="Destroy a pre-publication output",
                    text=f"Destroy every copy of \u201c{title}\u201d and say so{by}.",
                    href=f"/outputs/{output['id']}#destruction",
                    link_text="Attest destruction",
                )
            )
    return items


async def from_bookings(platform: Platform, token: str) -> list[Attention]:
    """Bookings tomorrow (UK time), from the booking pages' :func:`upcoming_bookings`."""
    tomorrow = dt.datetime.now(LONDON).date() + dt.timedelta(days=1)
    try:
        soon = await upcoming_bookings(platform, token, 2)
    except ServiceUnavailable:  # the rest of the dashboard still shows
        log.warning("the booking service did not answer for the dashboard")
        return []
    return [
        Attention(
            kind="booking",
            heading="You have a booking tomorrow",
            text=f"{booking['place_name']} at {booking['site_name']}, {booking['time']}, "
            f"for \u201c{booking['project_title']}\u201d.",
            href="/bookings",
            link_text="See your bookings",
        )
        for booking in soon
        if booking["starts"].astimezone(LONDON).date() == tomorrow
    ]
