"""Booking safe-setting places in the portal, against the real booking, projects and
access services: the week view, the security declaration when it must be signed first,
booking, a refusal in words, cancelling, and nobody else's bookings."""

from __future__ import annotations

import datetime as dt
import html
import re
from zoneinfo import ZoneInfo

from srs_portal.bookings import upcoming_bookings

from ..conftest import sign_in
from .active_project import NOW, TITLE, TODAY, active_project, headers_of
from .test_portal_projects import csrf_of

LONDON = ZoneInfo("Europe/London")


async def free_session(world, site_id: str = "titchfield") -> dt.datetime:
    """The first session with a free place at least two hours from now."""
    found = await world["booking"].get(
        "/v1/availability",
        headers=headers_of(world, "res-alice"),
        params={"site_id": site_id, "from": str(TODAY), "to": str(TODAY + dt.timedelta(days=20))},
    )
    assert found.status_code == 200, found.text
    for slot in found.json()["sites"][0]["slots"]:
        starts_at = dt.datetime.fromisoformat(slot["starts_at"])
        if slot["free"] and starts_at > NOW + dt.timedelta(hours=2):
            return starts_at
    raise AssertionError("no free session in three weeks")


def week_of(starts_at: dt.datetime) -> str:
    day = starts_at.astimezone(LONDON).date()
    return str(day - dt.timedelta(days=day.weekday()))


def book_link(page, starts_at: dt.datetime) -> str:
    """The week view's link to book the session starting at ``starts_at``."""
    iso = starts_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    links = [html.unescape(h) for h in re.findall(r'href="(/bookings/new/book\?[^"]+)"', page.text)]
    match = [h for h in links if iso.replace(":", "%3A") in h]
    assert match, f"no booking link for {iso} in the week view"
    return match[0]


async def test_signed_out_visitors_are_sent_to_sign_in(world):
    for path in ("/bookings", "/bookings/new", "/bookings/new/book", "/bookings/bkg_x/cancel"):
        response = await world["portal"].get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/sign-in?next=%2Fbookings"), path


async def test_a_researcher_signs_the_declaration_books_and_cancels(world, deliver):
    project_id = await active_project(world, deliver)
    await sign_in(world, next_path="/bookings")
    portal = world["portal"]
    listing = await portal.get("/bookings")
    assert listing.status_code == 200 and listing.headers["cache-control"] == "no-store"
    assert "You have no coming bookings" in listing.text
    assert 'href="/bookings"' in listing.text and 'href="/home-working"' in listing.text  # nav

    choose = await portal.get("/bookings/new")
    assert "Titchfield safe room" in choose.text and "SafePod, University of Bristol" in choose.text
    starts_at = await free_session(world)
    week = await portal.get(
        "/bookings/new", params={"site_id": "titchfield", "week": week_of(starts_at)}
    )
    assert week.status_code == 200
    assert "Free places at Titchfield safe room" in week.text
    assert "8 free" in week.text and "09:00 to 10:00" in week.text and "15:00 to 16:00" in week.text
    assert 'data-cell="free"' in week.text
    assert "Week after" in week.text
    assert "sign the security declaration" in week.text

    # The first booking asks for the security declaration first.
    form = await portal.get(book_link(week, starts_at))
    assert form.status_code == 200
    assert "Sign the security declaration" in form.text
    assert "I will bring no phones, cameras or storage devices" in form.text
    fields = {"site_id": "titchfield", "starts_at": starts_at.isoformat(), "version": "2026.1"}
    unsigned = await portal.post(
        "/bookings/declaration", data={**fields, "csrf_token": csrf_of(form)}
    )
    assert unsigned.status_code == 422
    assert "There is a problem" in unsigned.text and "Confirm that you have read" in unsigned.text
    no_token = await portal.post("/bookings/declaration", data={**fields, "agree": "yes"})
    assert no_token.status_code == 403
    signed = await portal.post(
        "/bookings/declaration", data={**fields, "agree": "yes", "csrf_token": csrf_of(form)}
    )
    assert signed.status_code == 303, signed.text
    form = await portal.get(signed.headers["location"])
    assert form.status_code == 200 and "Book a place" in form.text
    assert TITLE in form.text  # the active project to book for
    ends_at = (starts_at + dt.timedelta(hours=1)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ends_at in form.text

    booking = {"site_id": "titchfield", "starts_at": starts_at.isoformat(), "ends_at": ends_at}
    refused = await portal.post("/bookings/new/book", data={**booking, "project_id": project_id})
    assert refused.status_code == 403  # no CSRF token
    booked = await portal.post(
        "/bookings/new/book",
        data={**booking, "project_id": project_id, "csrf_token": csrf_of(form)},
    )
    assert booked.status_code == 303, booked.text
    listing = await portal.get(booked.headers["location"])
    day = starts_at.astimezone(LONDON)
    assert f"Your place at Titchfield safe room is booked for {day:%A} {day.day}" in listing.text
    upcoming = listing.text[listing.text.index('id="upcoming-bookings"') :]
    assert "Titchfield safe room, Terminal T1" in upcoming and TITLE in upcoming
    assert f"{day:%H:%M} to " in upcoming
    booking_id = re.search(r'data-booking="([^"]+)"', upcoming).group(1)

    # The dashboard's helper names the site and the project.
    token = headers_of(world, "res-alice")["Authorization"].removeprefix("Bearer ")
    soon = await upcoming_bookings(world["app"].state.platform, token, 30)
    assert [(b["site_name"], b["project_title"]) for b in soon] == [("Titchfield safe room", TITLE)]

    # The same session again: refused in words, nothing booked twice.
    again = await portal.post(
        "/bookings/new/book",
        data={**booking, "project_id": project_id, "csrf_token": csrf_of(form)},
    )
    assert again.status_code == 409
    assert "Your place has not been booked" in again.text
    assert "You already have a booking at an overlapping time" in again.text

    # Cancel: a confirmation first, then the POST with the form's token.
    confirm = await portal.get(f"/bookings/{booking_id}/cancel")
    assert confirm.status_code == 200 and "Cancel your booking?" in confirm.text
    assert TITLE in confirm.text and "Titchfield safe room" in confirm.text
    assert (await portal.post(f"/bookings/{booking_id}/cancel")).status_code == 403
    cancelled = await portal.post(
        f"/bookings/{booking_id}/cancel", data={"csrf_token": csrf_of(confirm)}
    )
    assert cancelled.status_code == 303
    listing = await portal.get(cancelled.headers["location"])
    assert (
        "Your booking at Titchfield safe room on" in listing.text and "is cancelled" in listing.text
    )
    assert "You have no coming bookings" in listing.text
    earlier = listing.text[listing.text.index('id="earlier-bookings"') :]
    assert "Cancelled: cancelled by the researcher" in earlier
    mine = await world["booking"].get("/v1/bookings", headers=headers_of(world, "res-alice"))
    assert [b["status"] for b in mine.json()["items"]] == ["cancelled"]
    assert await upcoming_bookings(world["app"].state.platform, token, 30) == []


async def test_a_refused_booking_says_why_in_words_and_books_nothing(world, deliver):
    # The booking service has not yet heard that the project is active.
    project_id = await active_project(world, deliver, active_at_booking=False)
    alice = headers_of(world, "res-alice")
    signed = await world["booking"].post(
        "/v1/declarations", headers=alice, json={"version": "2026.1"}
    )
    assert signed.status_code == 201
    starts_at = await free_session(world)
    await sign_in(world)
    week = await world["portal"].get(
        "/bookings/new", params={"site_id": "titchfield", "week": week_of(starts_at)}
    )
    form = await world["portal"].get(book_link(week, starts_at))
    assert "Book a place" in form.text
    ends_at = (starts_at + dt.timedelta(hours=1)).astimezone(dt.UTC).isoformat()
    refused = await world["portal"].post(
        "/bookings/new/book",
        data={
            "site_id": "titchfield",
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at,
            "project_id": project_id,
            "csrf_token": csrf_of(form),
        },
    )
    assert refused.status_code == 422
    assert (
        "govuk-error-summary" in refused.text and "Your place has not been booked" in refused.text
    )
    assert "That project is not active yet" in refused.text
    assert 'href="#project_id"' in refused.text
    assert "project_not_active" not in refused.text  # words, not the API's code
    mine = await world["booking"].get("/v1/bookings", headers=alice)
    assert mine.json()["items"] == []
    # A form with no project chosen is refused before the booking service is asked.
    empty = await world["portal"].post(
        "/bookings/new/book",
        data={
            "site_id": "titchfield",
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at,
            "csrf_token": csrf_of(form),
        },
    )
    assert empty.status_code == 422 and "Choose the project you are booking for" in empty.text


async def test_a_closure_shows_in_the_week_and_refuses_the_booking(world, deliver):
    project_id = await active_project(world, deliver)
    alice = headers_of(world, "res-alice")
    await world["booking"].post("/v1/declarations", headers=alice, json={"version": "2026.1"})
    starts_at = await free_session(world)
    await sign_in(world)
    week = await world["portal"].get(
        "/bookings/new", params={"site_id": "titchfield", "week": week_of(starts_at)}
    )
    form = await world["portal"].get(book_link(week, starts_at))
    # Support closes the site for that hour after alice opened the form.
    closed = await world["booking"].post(
        "/v1/sites/titchfield/closures",
        headers=world["tokens"].headers("support", sub="support-1"),
        json={
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + dt.timedelta(hours=1)).isoformat(),
            "reason": "fire alarm testing",
        },
    )
    assert closed.status_code == 201, closed.text
    refused = await world["portal"].post(
        "/bookings/new/book",
        data={
            "site_id": "titchfield",
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + dt.timedelta(hours=1)).isoformat(),
            "project_id": project_id,
            "csrf_token": csrf_of(form),
        },
    )
    assert refused.status_code == 422
    assert "The site is closed at that time (fire alarm testing)" in refused.text
    week = await world["portal"].get(
        "/bookings/new", params={"site_id": "titchfield", "week": week_of(starts_at)}
    )
    assert 'data-cell="closed"' in week.text
    assert "Closed this week" in week.text and "fire alarm testing" in week.text


async def test_an_unknown_site_or_time_is_a_clear_refusal(world):
    await sign_in(world)
    unknown = await world["portal"].get("/bookings/new", params={"site_id": "atlantis"})
    assert unknown.status_code == 422
    assert "There is a problem" in unknown.text and "Choose a site from the list" in unknown.text
    no_time = await world["portal"].get("/bookings/new/book", params={"site_id": "titchfield"})
    assert no_time.status_code == 422 and "a free session in its week view" in no_time.text
    bad_site = await world["portal"].get(
        "/bookings/new/book",
        params={"site_id": "atlantis", "starts_at": "2030-01-07T09:00:00+00:00"},
    )
    assert bad_site.status_code == 404


async def test_the_week_view_moves_by_week_up_to_the_booking_horizon(world):
    await sign_in(world)
    this_week = await world["portal"].get("/bookings/new", params={"site_id": "newport"})
    assert "Free places at Newport safe room" in this_week.text
    assert "Week before" not in this_week.text and "Week after" in this_week.text
    later = TODAY + dt.timedelta(weeks=10)
    monday = later - dt.timedelta(days=later.weekday())
    far = await world["portal"].get(
        "/bookings/new", params={"site_id": "newport", "week": str(monday)}
    )
    assert far.status_code == 200 and "Week before" in far.text
    # Ten weeks ahead is past the eight-week horizon: listed, not offered.
    assert 'data-cell="not_yet"' in far.text and 'data-cell="free"' not in far.text
    assert "/bookings/new/book?" not in far.text
    assert "cannot be booked yet" in far.text


async def test_another_researcher_cannot_see_or_cancel_the_booking(world, deliver):
    project_id = await active_project(world, deliver, ("res-alice", "res-bob"))
    alice = headers_of(world, "res-alice")
    await world["booking"].post("/v1/declarations", headers=alice, json={"version": "2026.1"})
    starts_at = await free_session(world)
    made = await world["booking"].post(
        "/v1/bookings",
        headers=alice,
        json={
            "project_id": project_id,
            "site_id": "titchfield",
            "place": "T4",
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + dt.timedelta(hours=1)).isoformat(),
        },
    )
    assert made.status_code == 201, made.text
    booking_id = made.json()["id"]
    await sign_in(world, username="bob", password="bob-demo")
    listing = await world["portal"].get("/bookings")
    assert booking_id not in listing.text and "Terminal T4" not in listing.text
    page = await world["portal"].get(f"/bookings/{booking_id}/cancel")
    assert page.status_code == 404
    assert "Terminal T4" not in page.text and TITLE not in page.text
    cancel = await world["portal"].post(
        f"/bookings/{booking_id}/cancel", data={"csrf_token": csrf_of(listing)}
    )
    assert cancel.status_code == 404
    still = await world["booking"].get(f"/v1/bookings/{booking_id}", headers=alice)
    assert still.json()["status"] == "confirmed"


async def test_a_staff_account_has_no_bookings_pages(world):
    await sign_in(world, username="support", password="support-demo")
    for path in ("/bookings", "/bookings/new"):
        page = await world["portal"].get(path)
        assert page.status_code == 403, path
        assert "You cannot book places" in page.text
