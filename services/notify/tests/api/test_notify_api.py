"""The notify API: a researcher's own preferences (honoured for optional notices only)
and the delivery log that support reads."""

from __future__ import annotations

import datetime as dt

from srs_common.contracts import booking
from srs_notify import queueing as service
from srs_notify.domain import OPTIONAL_NOTICES

PREFS = "/v1/notification-preferences"


def prefs_by_notice(body: dict) -> dict[str, bool]:
    return {n["notice"]: n["enabled"] for n in body["notices"]}


def tomorrow_at_ten() -> tuple[str, str]:
    start, _ = service.domain.reminder_window(dt.datetime.now(dt.UTC))
    starts = start + dt.timedelta(hours=10)
    return starts.isoformat(), (starts + dt.timedelta(hours=6)).isoformat()


def confirmed(
    booking_id: str,
    researcher_id: str = "res-alice",
    *,
    starts_at: str | None = None,
    ends_at: str | None = None,
) -> booking.BookingConfirmed:
    starts, ends = tomorrow_at_ten()
    return booking.BookingConfirmed.model_validate(
        {
            **booking.BookingConfirmed.example,
            "booking_id": booking_id,
            "researcher_id": researcher_id,
            "starts_at": starts_at or starts,
            "ends_at": ends_at or ends,
        }
    )


async def queue_reminders(client, now: dt.datetime | None = None) -> int:
    async with client.runtime.db.transaction() as session:
        return await service.queue_booking_reminders(session, now or dt.datetime.now(dt.UTC))


# -- preferences ----------------------------------------------------------------------
async def test_everything_is_on_until_a_researcher_turns_a_reminder_off(client, tokens) -> None:
    alice = tokens.headers("researcher", researcher_id="res-alice")
    before = await client.get(PREFS, headers=alice)
    assert before.status_code == 200
    assert before.json()["researcher_id"] == "res-alice"
    assert all(prefs_by_notice(before.json()).values())
    optional = {n["notice"] for n in before.json()["notices"] if n["optional"]}
    assert optional == set(OPTIONAL_NOTICES)
    # A researcher's own notices only: what goes to staff mailboxes is not theirs to set.
    listed = set(prefs_by_notice(before.json()))
    assert {"accreditation_revoked", "project_suspended", "account_enabled"} <= listed
    assert not listed & {"output_request_to_check", "home_working_request_to_decide"}

    changed = await client.patch(
        PREFS, json={"notices": {"booking_reminder": False}}, headers=alice
    )
    assert changed.status_code == 200, changed.text
    assert prefs_by_notice(changed.json())["booking_reminder"] is False
    assert (
        prefs_by_notice((await client.get(PREFS, headers=alice)).json())["booking_reminder"]
        is False
    )
    # Another researcher's choices are their own.
    bob = tokens.headers("researcher", researcher_id="res-bob")
    assert prefs_by_notice((await client.get(PREFS, headers=bob)).json())["booking_reminder"]

    back_on = await client.patch(PREFS, json={"notices": {"booking_reminder": True}}, headers=alice)
    assert prefs_by_notice(back_on.json())["booking_reminder"] is True


async def test_a_decision_cannot_be_turned_off_and_nothing_is_half_written(client, tokens) -> None:
    alice = tokens.headers("researcher", researcher_id="res-alice")
    refused = await client.patch(
        PREFS,
        json={"notices": {"booking_reminder": False, "booking_cancelled": False}},
        headers=alice,
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["rule"] == "decisions-always-sent"
    assert refused.json()["notices"] == ["booking_cancelled"]
    assert all(prefs_by_notice((await client.get(PREFS, headers=alice)).json()).values())


async def test_bad_preference_input_is_a_422_naming_the_field(client, tokens) -> None:
    alice = tokens.headers("researcher", researcher_id="res-alice")
    unknown = await client.patch(PREFS, json={"notices": {"horoscope": False}}, headers=alice)
    assert unknown.status_code == 422
    assert any(e["field"].startswith("body.notices") for e in unknown.json()["errors"])
    empty = await client.patch(PREFS, json={"notices": {}, "extra": 1}, headers=alice)
    assert {e["field"] for e in empty.json()["errors"]} >= {"body.notices", "body.extra"}


async def test_only_researchers_have_preferences(client, tokens) -> None:
    assert (await client.get(PREFS)).status_code == 401
    for role in ("support", "ops", "panel"):
        headers = tokens.headers(role)
        assert (await client.get(PREFS, headers=headers)).status_code == 403
        assert (
            await client.patch(
                PREFS, json={"notices": {"booking_reminder": False}}, headers=headers
            )
        ).status_code == 403
    # A researcher token that names no researcher cannot address anyone's preferences.
    anonymous = {
        "Authorization": "Bearer " + tokens.token("researcher", sub="u-1", researcher_id="")
    }
    assert (await client.get(PREFS, headers=anonymous)).status_code == 403


# -- reminders and opt-outs -----------------------------------------------------------
async def test_the_day_before_reminder_goes_once_per_booking(
    client, smtp, deliver, register, send, log
) -> None:
    await register()
    await deliver(client, confirmed("bkg_tomorrow"), subject="bkg_tomorrow")
    starts = (dt.datetime.now(dt.UTC) + dt.timedelta(days=4)).isoformat()
    await deliver(
        client, confirmed("bkg_later", starts_at=starts, ends_at=starts), subject="bkg_later"
    )
    await send()
    smtp.received.clear()

    assert await queue_reminders(client) == 1
    assert await queue_reminders(client) == 0  # the job runs again: nothing new
    await send()
    (mail,) = smtp.received
    assert mail.message["Subject"] == "Reminder: your booking tomorrow at Titchfield"
    assert "bkg_tomorrow" in mail.text
    reminders = [r for r in await log() if r.notice == "booking_reminder"]
    assert [(r.about, r.status) for r in reminders] == [("bkg_tomorrow", "sent")]


async def test_opted_out_reminders_are_not_sent_but_decisions_are(
    client, smtp, deliver, register, send, log, tokens
) -> None:
    await register()
    alice = tokens.headers("researcher", researcher_id="res-alice")
    await client.patch(
        PREFS,
        json={"notices": {"booking_reminder": False, "accreditation_expiring": False}},
        headers=alice,
    )
    await deliver(client, confirmed("bkg_a"), subject="bkg_a")
    await deliver(client, confirmed("bkg_b", "res-bob"), subject="bkg_b")
    await queue_reminders(client)
    await send()
    notices = sorted((r.recipients[0], r.message["Subject"].split(":")[0]) for r in smtp.received)
    assert notices == [
        ("alice@ntu.example", "Booking confirmed"),
        ("bob@ucl.example", "Booking confirmed"),
        ("bob@ucl.example", "Reminder"),
    ]
    alice_reminder = [
        r for r in await log() if r.researcher_id == "res-alice" and r.notice == "booking_reminder"
    ]
    assert [r.status for r in alice_reminder] == ["opted_out"]

    # A decision is sent to Alice whatever she turned off.
    cancelled = booking.BookingCancelled.model_validate(
        {**booking.BookingCancelled.example, "booking_id": "bkg_a"}
    )
    await deliver(client, cancelled, subject="bkg_a")
    await send()
    assert smtp.to("alice@ntu.example")[-1].message["Subject"].startswith("Booking cancelled")


async def test_a_booking_cancelled_before_its_reminder_went_gets_no_reminder(
    client, smtp, deliver, register, send, log
) -> None:
    await register()
    await deliver(client, confirmed("bkg_1"), subject="bkg_1")
    await deliver(client, confirmed("bkg_2"), subject="bkg_2")
    await deliver(
        client,
        booking.BookingCancelled.model_validate(
            {**booking.BookingCancelled.example, "booking_id": "bkg_1"}
        ),
        subject="bkg_1",
    )
    await queue_reminders(client)  # bkg_1 is no longer due; bkg_2 is queued
    await deliver(
        client,
        booking.BookingCancelled.model_validate(
            {**booking.BookingCancelled.example, "booking_id": "bkg_2"}
        ),
        subject="bkg_2",
    )
    await send()
    subjects = [r.message["Subject"] for r in smtp.received]
    assert not any(s.startswith("Reminder") for s in subjects)
    reminder = [r for r in await log() if r.notice == "booking_reminder"]
    assert [(r.about, r.status) for r in reminder] == [("bkg_2", "withdrawn")]


# -- the delivery log -----------------------------------------------------------------
async def test_support_reads_who_was_told_what_when_with_filters_and_pages(
    client, smtp, deliver, register, send, tokens
) -> None:
    await register()
    smtp.refused.add("bob@ucl.example")
    await deliver(client, confirmed("bkg_a"), subject="bkg_a")
    await deliver(client, confirmed("bkg_b", "res-bob"), subject="bkg_b")
    await deliver(client, confirmed("bkg_c"), subject="bkg_c")
    await send()
    support = tokens.headers("support")

    everything = await client.get("/v1/notifications", headers=support)
    assert everything.status_code == 200
    assert [i["about"] for i in everything.json()["items"]] == ["bkg_c", "bkg_b", "bkg_a"]
    first = everything.json()["items"][2]
    assert (first["researcher_id"], first["email"], first["status"]) == (
        "res-alice",
        "alice@ntu.example",
        "sent",
    )
    assert first["subject"].startswith("Booking confirmed") and first["sent_at"]

    failed = await client.get("/v1/notifications", params={"status": "failed"}, headers=support)
    (bob,) = failed.json()["items"]
    assert bob["researcher_id"] == "res-bob" and "550" in bob["last_error"]
    alices = await client.get(
        "/v1/notifications",
        headers=support,
        params={"researcher_id": "res-alice", "notice": "booking_confirmed"},
    )
    assert [i["about"] for i in alices.json()["items"]] == ["bkg_c", "bkg_a"]
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    assert (
        await client.get("/v1/notifications", params={"created_from": later}, headers=support)
    ).json()["items"] == []

    page1 = (await client.get("/v1/notifications", params={"limit": 2}, headers=support)).json()
    page2 = (
        await client.get(
            "/v1/notifications", params={"limit": 2, "cursor": page1["next"]}, headers=support
        )
    ).json()
    assert [i["about"] for i in page1["items"] + page2["items"]] == ["bkg_c", "bkg_b", "bkg_a"]
    assert page2["next"] is None

    one = await client.get(f"/v1/notifications/{bob['id']}", headers=support)
    assert one.status_code == 200 and one.json()["status"] == "failed"


async def test_support_can_send_a_failed_notification_again(
    client, smtp, deliver, register, send, tokens
) -> None:
    await register()
    smtp.refused.add("bob@ucl.example")
    await deliver(client, confirmed("bkg_b", "res-bob"), subject="bkg_b")
    await send()
    support = tokens.headers("support")
    (row,) = (await client.get("/v1/notifications", headers=support)).json()["items"]
    smtp.refused.clear()  # the mailbox now exists

    retried = await client.post(f"/v1/notifications/{row['id']}/retry", headers=support)
    assert retried.status_code == 200 and retried.json()["status"] == "pending"
    await send()
    assert [r.recipients for r in smtp.received] == [["bob@ucl.example"]]

    again = await client.post(f"/v1/notifications/{row['id']}/retry", headers=support)
    assert again.status_code == 409
    assert again.json()["current_state"] == "sent"


async def test_the_delivery_log_is_for_support_only(client, deliver, register, tokens) -> None:
    await register()
    await deliver(client, confirmed("bkg_a"), subject="bkg_a")
    support = tokens.headers("support")
    (row,) = (await client.get("/v1/notifications", headers=support)).json()["items"]
    assert (await client.get("/v1/notifications")).status_code == 401
    for headers in (
        tokens.headers("researcher", researcher_id="res-alice"),
        tokens.headers("ops"),
        tokens.headers("checker"),
        tokens.headers("partner", org="org-ntu"),
    ):
        assert (await client.get("/v1/notifications", headers=headers)).status_code == 403
        assert (
            await client.get(f"/v1/notifications/{row['id']}", headers=headers)
        ).status_code == 403
        assert (
            await client.post(f"/v1/notifications/{row['id']}/retry", headers=headers)
        ).status_code == 403
    missing = await client.get("/v1/notifications/999999", headers=support)
    assert missing.status_code == 404
    assert (await client.post("/v1/notifications/999999/retry", headers=support)).status_code == 404


async def test_bad_log_queries_are_422(client, tokens) -> None:
    support = tokens.headers("support")
    for params in (
        {"status": "lost"},
        {"cursor": "%%%"},
        {"limit": 0},
        {"created_from": "yesterday"},
        {"created_to": "7.224157592873255e-42"},  # a number is not a date-time here
        {"notice": "horoscope"},
        {"cursor": "WyJ4Il0"},
    ):
        response = await client.get("/v1/notifications", params=params, headers=support)
        assert response.status_code == 422, (params, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    not_an_id = await client.get("/v1/notifications/abc", headers=support)
    assert not_an_id.status_code == 422
    assert not_an_id.json()["errors"][0]["field"] == "path.notification_id"


async def test_every_route_has_a_summary_examples_and_its_errors(client) -> None:
    spec = (await client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    routes = [
        (path, method, op)
        for path, item in spec["paths"].items()
        if path.startswith("/v1/notification")
        for method, op in item.items()
    ]
    assert len(routes) == 5
    for path, method, op in routes:
        where = f"{method.upper()} {path}"
        assert op.get("summary"), where
        assert {"401", "403"} <= set(op["responses"]), where
        for code, response in op["responses"].items():
            if code.startswith("4"):
                assert response["content"]["application/problem+json"]["example"], where
        ok = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert schemas[ok.rsplit("/", 1)[-1]].get("examples"), where
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            assert schemas[body["schema"]["$ref"].rsplit("/", 1)[-1]].get("examples"), where
