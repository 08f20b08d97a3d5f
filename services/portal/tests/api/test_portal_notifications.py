"""The researcher's e-mail notices page (where the notifier's e-mails send people who
want fewer reminders), against the real notify service."""

from __future__ import annotations

from ..conftest import sign_in
from .test_portal_projects import csrf_of


async def test_a_signed_out_visitor_is_sent_to_sign_in(world):
    page = await world["portal"].get("/notifications")
    assert page.status_code == 303
    assert page.headers["location"] == "/sign-in?next=%2Fnotifications"


async def test_a_researcher_turns_a_reminder_off(world):
    await sign_in(world)
    portal = world["portal"]
    page = await portal.get("/notifications")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    always = page.text[page.text.index('id="always-sent"') :]
    assert "booking_confirmed" not in always  # descriptions in words, never keys
    assert 'value="booking_reminder" checked' in page.text
    no_token = await portal.post("/notifications", data={"enabled": []})
    assert no_token.status_code == 403
    tampered = await portal.post(
        "/notifications", data={"enabled": ["booking_confirmed"], "csrf_token": csrf_of(page)}
    )
    assert tampered.status_code == 422
    assert "There is a problem" in tampered.text and 'href="#enabled"' in tampered.text
    saved = await portal.post("/notifications", data={"csrf_token": csrf_of(page)})
    assert saved.status_code == 303 and saved.headers["location"] == "/notifications?saved=1"
    page = await portal.get("/notifications?saved=1")
    assert "Your choices are saved." in page.text
    assert 'value="booking_reminder" checked' not in page.text
    alice = world["tokens"].headers("researcher", sub="alice", researcher_id="res-alice")
    mine = await world["notify"].get("/v1/notification-preferences", headers=alice)
    reminder = next(n for n in mine.json()["notices"] if n["notice"] == "booking_reminder")
    assert reminder["enabled"] is False
    # Bob's reminders are his own: Alice's choice did not change them.
    bob = world["tokens"].headers("researcher", sub="bob", researcher_id="res-bob")
    his = await world["notify"].get("/v1/notification-preferences", headers=bob)
    assert next(n for n in his.json()["notices"] if n["notice"] == "booking_reminder")["enabled"]


async def test_a_staff_account_has_no_notices_page(world):
    await sign_in(world, username="panel", password="panel-demo")
    page = await world["portal"].get("/notifications")
    assert page.status_code == 403
