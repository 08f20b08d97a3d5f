"""A researcher's bookings of safe-setting places (safe rooms and SafePods): the list of
their bookings, a site's week of free places, the security declaration when it must be
signed first, booking and cancelling. Every rule is the booking service's: the pages show
its answers to the person's own token, its refusals in words."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from srs_common.errors import AppError, NotFound
from srs_portal import booking_week as week
from srs_portal.pages import render, signed_in_user
from srs_portal.platform import Platform
from srs_portal.security import require_csrf
from srs_portal.signin import access_token

router = APIRouter()
PAGES = 10  # of 100 bookings: a researcher's whole history


def booker(request: Request) -> dict[str, Any]:
    """The signed-in researcher (signed-out visitors are sent to sign in first)."""
    user = signed_in_user(request)
    if not user.get("researcher_id"):
        raise AppError(
            "Places in safe rooms and SafePods are booked by researchers. Your account is a "
            "staff account.",
            status=403,
            title="You cannot book places",
        )
    return user


async def _sites(platform: Platform, token: str) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in await platform.get("booking", "/v1/sites", token=token) or []}


async def _project_titles(platform: Platform, token: str) -> dict[str, str]:
    page = await platform.get("projects", "/v1/projects", token=token, params={"limit": 200})
    return {p["id"]: p["title"] for p in (page or {}).get("items", [])}


async def _bookings(
    platform: Platform, token: str, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The researcher's bookings (the API answers only their own), every page."""
    items: list[dict[str, Any]] = []
    query: dict[str, Any] = {"limit": 100, **(params or {})}
    for _ in range(PAGES):
        page = await platform.get("booking", "/v1/bookings", token=token, params=query) or {}
        items += page.get("items", [])
        if not page.get("next"):
            break
        query["cursor"] = page["next"]
    return items


async def upcoming_bookings(platform: Platform, token: str, days: int) -> list[dict[str, Any]]:
    """The person's confirmed bookings starting within ``days`` days, soonest first, each
    with ``site_name``, ``project_title``, ``day``, ``time`` and ``place_name`` (for the
    dashboard's "a booking tomorrow")."""
    now = dt.datetime.now(dt.UTC)
    found = await _bookings(
        platform, token, {"status": "confirmed", "starts_from": week.utc_iso(now)}
    )
    soon = [b for b in found if (week.aware(b["starts_at"]) or now) < now + dt.timedelta(days)]
    if not soon:
        return []
    sites, titles = await _sites(platform, token), await _project_titles(platform, token)
    return sorted((week.described(b, sites, titles) for b in soon), key=lambda b: b["starts"])


@router.get("/bookings", response_class=HTMLResponse)
async def booking_list(request: Request) -> Response:
    booker(request)
    token = await access_token(request)
    platform: Platform = request.app.state.platform
    sites, titles = await _sites(platform, token), await _project_titles(platform, token)
    now = dt.datetime.now(dt.UTC)
    bookings = [week.described(b, sites, titles) for b in await _bookings(platform, token)]
    upcoming = sorted(
        (b for b in bookings if b["status"] == "confirmed" and b["ends"] > now),
        key=lambda b: b["starts"],
    )
    coming = {b["id"] for b in upcoming}
    earlier = sorted(
        (b for b in bookings if b["id"] not in coming), key=lambda b: b["starts"], reverse=True
    )
    for booking in upcoming:
        booking["cancellable"] = booking["starts"] > now
    news = request.query_params.get("booked") or request.query_params.get("cancelled")
    return render(
        request,
        "bookings.html",
        {
            "title": "Your bookings",
            "upcoming": upcoming,
            "earlier": earlier,
            "booked": next((b for b in upcoming if b["id"] == news), None),
            "cancelled": next((b for b in earlier if b["id"] == news), None),
        },
    )


async def _availability(
    platform: Platform, token: str, site_id: str, first: dt.date, last: dt.date
) -> dict[str, Any]:
    """The site's availability from ``first`` to ``last`` (inclusive)."""
    availability = await platform.get(
        "booking",
        "/v1/availability",
        token=token,
        params={"site_id": site_id, "from": str(first), "to": str(last)},
    )
    return availability or {}


def _slots(availability: dict[str, Any], site_id: str) -> list[dict[str, Any]]:
    """The site's slots in an availability answer, with their free places."""
    sites: list[dict[str, Any]] = availability.get("sites", [])
    return next((s["slots"] for s in sites if s["site_id"] == site_id), [])


def _week_start(value: str | None) -> dt.date:
    this_week = week.monday_of(week.today())
    try:
        asked = week.monday_of(dt.date.fromisoformat(str(value)))
    except ValueError:
        return this_week
    # Only weeks the booking service can answer for: from this one to a year ahead.
    return min(max(asked, this_week), this_week + dt.timedelta(weeks=52))


@router.get("/bookings/new", response_class=HTMLResponse)
async def new_booking(request: Request) -> Response:
    """Choose a site; with one chosen, its week of free places."""
    booker(request)
    token = await access_token(request)
    platform: Platform = request.app.state.platform
    sites = await _sites(platform, token)
    site_id = request.query_params.get("site_id")
    if not site_id:
        return render(request, "bookings_new.html", {"title": "Book a place", "sites": sites})
    site = sites.get(site_id)
    if site is None:
        return render(
            request,
            "bookings_new.html",
            {"title": "Book a place", "sites": sites, "error": "Choose a site from the list"},
            status=422,
        )
    monday = _week_start(request.query_params.get("week"))
    sunday = monday + dt.timedelta(days=6)
    availability = await _availability(platform, token, site_id, monday, sunday)
    slots = _slots(availability, site_id)
    closures = await platform.get("booking", f"/v1/sites/{site_id}/closures", token=token)
    signed = await platform.get("booking", "/v1/declarations/me", token=token)
    this_week = week.monday_of(week.today())
    return render(
        request,
        "bookings_week.html",
        {
            "title": f"Book a place: {site['name']}",
            "site": site,
            "sites": sites,
            "week": week.week_view(
                site,
                slots,
                closures or [],
                monday,
                dt.datetime.now(dt.UTC),
                week.aware((availability or {}).get("bookable_until")),
            ),
            "week_name": f"{week.day_words(monday)} to {week.day_words(sunday)}",
            "previous": str(monday - dt.timedelta(weeks=1)) if monday > this_week else None,
            "next": str(monday + dt.timedelta(weeks=1))
            if monday < this_week + dt.timedelta(weeks=52)
            else None,
            "declaration_signed": signed is not None,
        },
    )


async def _active_projects(platform: Platform, token: str) -> list[dict[str, Any]]:
    page = await platform.get(
        "projects", "/v1/projects", token=token, params={"status": "active", "limit": 200}
    )
    return list((page or {}).get("items", []))


async def _slot_page(
    request: Request,
    token: str,
    site_id: str,
    starts_at: dt.datetime,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    """The booking form for a session chosen in the week view, or the declaration to sign
    first."""
    platform: Platform = request.app.state.platform
    site = await platform.get("booking", f"/v1/sites/{site_id}", token=token)
    if site is None:
        raise NotFound("there is no such site: choose one from the list of sites")
    if await platform.get("booking", "/v1/declarations/me", token=token) is None:
        return await _declaration_page(request, token, site, starts_at, {}, status=status)
    day = week.local(starts_at).date()
    slots = _slots(await _availability(platform, token, site_id, day, day), site_id)
    return render(
        request,
        "bookings_book.html",
        {
            "title": f"Book a place: {site['name']}",
            "site": site,
            "starts_at": week.utc_iso(starts_at),
            "day": week.day_words(day),
            "start_time": f"{week.local(starts_at):%H:%M}",
            "ends": week.end_choices(site, slots, starts_at),
            "projects": await _active_projects(platform, token),
            "values": values,
            "errors": errors,
            "week": str(week.monday_of(day)),
        },
        status=status,
    )


async def _declaration_page(
    request: Request,
    token: str,
    site: dict[str, Any],
    starts_at: dt.datetime,
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    platform: Platform = request.app.state.platform
    declaration = await platform.get("booking", "/v1/declaration", token=token) or {}
    return render(
        request,
        "bookings_declaration.html",
        {
            "title": "Sign the security declaration",
            "declaration": declaration,
            "site": site,
            "starts_at": week.utc_iso(starts_at),
            "errors": errors,
        },
        status=status,
    )


def _slot(request: Request, values: Any) -> tuple[str, dt.datetime]:
    site_id = str(values.get("site_id") or "")
    starts_at = week.aware(values.get("starts_at"))
    if not site_id or starts_at is None:
        raise AppError(
            "Choose a site, then a free session in its week view.",
            status=422,
            title="Choose a time to book",
        )
    return site_id, starts_at


@router.get("/bookings/new/book", response_class=HTMLResponse)
async def booking_form(request: Request) -> Response:
    booker(request)
    token = await access_token(request)
    site_id, starts_at = _slot(request, request.query_params)
    return await _slot_page(request, token, site_id, starts_at, {}, {})


@router.post(
    "/bookings/declaration", response_class=HTMLResponse, dependencies=[Depends(require_csrf)]
)
async def sign_declaration(request: Request) -> Response:
    booker(request)
    token = await access_token(request)
    platform: Platform = request.app.state.platform
    form = await request.form()
    site_id, starts_at = _slot(request, form)
    site = await platform.get("booking", f"/v1/sites/{site_id}", token=token)
    if site is None:
        raise NotFound("there is no such site: choose one from the list of sites")
    if form.get("agree") != "yes":
        errors = {"agree": "Confirm that you have read the declaration and agree to it"}
        return await _declaration_page(request, token, site, starts_at, errors, status=422)
    status, body = await platform.post(
        "booking", "/v1/declarations", token=token, json={"version": str(form.get("version"))}
    )
    if status != 201:
        errors = {"agree": week.refusal_words(status, body)[0]}
        return await _declaration_page(request, token, site, starts_at, errors, status=422)
    query = urlencode({"site_id": site_id, "starts_at": week.utc_iso(starts_at)})
    return RedirectResponse(f"/bookings/new/book?{query}", status_code=303)


@router.post(
    "/bookings/new/book", response_class=HTMLResponse, dependencies=[Depends(require_csrf)]
)
async def book(request: Request) -> Response:
    booker(request)
    token = await access_token(request)
    platform: Platform = request.app.state.platform
    form = await request.form()
    site_id, starts_at = _slot(request, form)
    values = {k: str(form.get(k) or "") for k in ("project_id", "ends_at")}
    ends_at = week.aware(values["ends_at"])
    errors: dict[str, str] = {}
    if ends_at is None:
        errors["ends_at"] = "Choose when your booking ends"
    if not values["project_id"]:
        errors["project_id"] = "Choose the project you are booking for"
    if errors or ends_at is None:
        return await _slot_page(request, token, site_id, starts_at, values, errors, status=422)
    site = await platform.get("booking", f"/v1/sites/{site_id}", token=token)
    if site is None:
        raise NotFound("there is no such site: choose one from the list of sites")
    day = week.local(starts_at).date()
    slots = _slots(await _availability(platform, token, site_id, day, day), site_id)
    status, body = await platform.post(
        "booking",
        "/v1/bookings",
        token=token,
        json={
            "project_id": values["project_id"],
            "site_id": site_id,
            "place": week.free_place(site, slots, starts_at, ends_at),
            "starts_at": week.utc_iso(starts_at),
            "ends_at": week.utc_iso(ends_at),
        },
    )
    if status == 201:
        return RedirectResponse(f"/bookings?{urlencode({'booked': body['id']})}", status_code=303)
    sentence, field = week.refusal_words(status, body)
    return await _slot_page(
        request, token, site_id, starts_at, values, {field: sentence}, status=status
    )


async def _own_booking(request: Request, token: str, booking_id: str) -> dict[str, Any]:
    platform: Platform = request.app.state.platform
    booking = await platform.get("booking", f"/v1/bookings/{booking_id}", token=token)
    if booking is None:
        # Missing, or not this person's: the same answer (the API's 404).
        raise NotFound("there is no booking of yours at this address")
    sites, titles = await _sites(platform, token), await _project_titles(platform, token)
    return week.described(booking, sites, titles)


@router.get("/bookings/{booking_id}/cancel", response_class=HTMLResponse)
async def cancel_form(request: Request, booking_id: str) -> Response:
    booker(request)
    token = await access_token(request)
    booking = await _own_booking(request, token, booking_id)
    return render(
        request,
        "bookings_cancel.html",
        {"title": "Cancel your booking", "booking": booking, "errors": {}},
    )


@router.post(
    "/bookings/{booking_id}/cancel",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def cancel(request: Request, booking_id: str) -> Response:
    booker(request)
    token = await access_token(request)
    booking = await _own_booking(request, token, booking_id)
    platform: Platform = request.app.state.platform
    status, body = await platform.post(
        "booking",
        f"/v1/bookings/{booking_id}/cancel",
        token=token,
        json=None,
        missing="there is no booking of yours at this address",
    )
    if status == 200:
        query = urlencode({"cancelled": booking_id})
        return RedirectResponse(f"/bookings?{query}", status_code=303)
    errors = {"booking": week.refusal_words(status, body)[0]}
    return render(
        request,
        "bookings_cancel.html",
        {"title": "Cancel your booking", "booking": booking, "errors": errors},
        status=status,
    )
