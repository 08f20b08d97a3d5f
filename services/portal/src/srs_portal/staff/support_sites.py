"""Support staff's site work: a site's closures, announcing a closure or shorter opening
hours, and the bookings that announcement cancelled."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from srs_portal.pages import render
from srs_portal.security import require_csrf
from srs_portal.staff.common import (
    CHANGED_MEANWHILE,
    every_item,
    form_text,
    reason_error,
    refusal,
    staff_call,
)
from srs_portal.staff.support import SupportStaff

router = APIRouter(prefix="/support/sites")
LONDON = ZoneInfo("Europe/London")
FIELDS = ("day-day", "day-month", "day-year", "from", "to", "reason")


def _day(values: dict[str, str], prefix: str) -> dt.date | None:
    try:
        return dt.date(
            int(values[f"{prefix}-year"]),
            int(values[f"{prefix}-month"]),
            int(values[f"{prefix}-day"]),
        )
    except (KeyError, ValueError):
        return None


def _hour(value: str) -> dt.time | None:
    try:
        hour = dt.time.fromisoformat(value if ":" in value else f"{int(value):02d}:00")
    except ValueError:
        return None
    return hour if hour.minute == 0 and hour.second == 0 else None


async def _sites_page(
    request: Request,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    platform, token = await staff_call(request)
    sites = await platform.get("booking", "/v1/sites", token=token) or []
    for site in sites:
        site["closures"] = (
            await platform.get("booking", f"/v1/sites/{site['id']}/closures", token=token) or []
        )
        # The version of the site and its closures this page shows (sent as If-Match).
        site["etag"] = await platform.etag("booking", f"/v1/sites/{site['id']}", token=token)
    return render(
        request,
        "staff/support_sites.html",
        {
            "title": "Site closures and opening hours",
            "sites": sites,
            "values": values or {},
            "errors": errors or {},
        },
        status=status,
    )


@router.get("", response_class=HTMLResponse)
async def sites(request: Request, user: SupportStaff) -> Response:
    return await _sites_page(request)


@router.post("/announce", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def announce(request: Request, user: SupportStaff) -> Response:
    """A closure of some hours of a day, or shorter opening hours over a run of days."""
    form = await request.form()
    names = ("site_id", "kind", *FIELDS, "last-day", "last-month", "last-year")
    values = {name: form_text(form, name) for name in names}
    errors: dict[str, str] = {}
    platform, token = await staff_call(request)
    site_ids = {s["id"] for s in await platform.get("booking", "/v1/sites", token=token) or []}
    if values["site_id"] not in site_ids:
        errors["site_id"] = "Choose the site"
    if values["kind"] not in ("closure", "hours"):
        errors["kind"] = "Choose a closure or shorter opening hours"
    first, last = _day(values, "day"), _day(values, "last")
    if first is None:
        errors["day"] = "Enter the day, like 21 12 2027"
    if values["kind"] == "hours" and last is None:
        errors["last"] = "Enter the last day with the shorter hours"
    starts, ends = _hour(values["from"]), _hour(values["to"])
    if starts is None:
        errors["from"] = "Enter a whole hour, like 09:00"
    if ends is None:
        errors["to"] = "Enter a whole hour, like 16:00"
    elif starts is not None and ends <= starts:
        errors["to"] = "The end must be after the start"
    problem = reason_error(values["reason"], "the announcement")
    if problem:
        errors["reason"] = problem
    if errors:
        return await _sites_page(request, values, errors, status=422)
    assert first is not None and starts is not None and ends is not None
    if values["kind"] == "closure":
        path = f"/v1/sites/{values['site_id']}/closures"
        body: dict[str, Any] = {
            "starts_at": dt.datetime.combine(first, starts, LONDON).astimezone(dt.UTC).isoformat(),
            "ends_at": dt.datetime.combine(first, ends, LONDON).astimezone(dt.UTC).isoformat(),
            "reason": values["reason"],
        }
    else:
        assert last is not None
        path = f"/v1/sites/{values['site_id']}/hours-changes"
        body = {
            "first_day": first.isoformat(),
            "last_day": last.isoformat(),
            "opens_at": starts.isoformat(),
            "closes_at": ends.isoformat(),
            "reason": values["reason"],
        }
    status, answer = await platform.send(
        "POST",
        "booking",
        path,
        token=token,
        json=body,
        if_match=form_text(form, f"etag-{values['site_id']}"),
    )
    if status == 412:
        # Drawn again with the site's closures as they stand now; what was typed is kept.
        return await _sites_page(request, values, {"kind": CHANGED_MEANWHILE}, status=412)
    if status != 201:
        errors["kind"] = refusal(answer, "The booking service refused the announcement")
        return await _sites_page(request, values, errors, status=status)
    closures = answer if isinstance(answer, list) else [answer]
    cancelled = await every_item(
        platform,
        "booking",
        "/v1/bookings",
        token,
        {"site_id": values["site_id"], "status": "cancelled"},
    )
    reasons = {f"site closure: {c['reason']}" for c in closures}
    return render(
        request,
        "staff/support_announced.html",
        {
            "title": "Announced",
            "site_id": values["site_id"],
            "closures": closures,
            "cancelled": [b for b in cancelled if b.get("cancel_reason") in reasons],
        },
    )
