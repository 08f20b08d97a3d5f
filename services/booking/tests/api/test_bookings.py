"""Booking a place: the happy path, every refusal reason, cancellation and visits."""

from __future__ import annotations

import datetime as dt

from srs_common.contracts.access import DatasetCatalogued
from srs_common.contracts.accreditation import AccreditationSuspended

# Wednesday 27 October 2027 is in British Summer Time: 09:00 London is 08:00Z.
WED_9 = "2027-10-27T08:00:00Z"
WED_11 = "2027-10-27T10:00:00Z"
WED_16 = "2027-10-27T15:00:00Z"


async def test_eligible_researcher_books_a_terminal_and_an_event_is_written(
    client, eligible, book, events
):
    alice = await eligible(client, "res-alice")
    created = await book(client, alice, WED_9, WED_11, place="T3")
    assert created.status_code == 201, created.text
    booking = created.json()
    assert booking["status"] == "confirmed"
    assert (booking["site_id"], booking["place"]) == ("titchfield", "T3")
    assert booking["starts_at"] == "2027-10-27T08:00:00Z"
    confirmed = [p for t, p in await events(client) if t == "srs.booking.confirmed.v1"]
    assert confirmed == [
        {
            **confirmed[0],
            "booking_id": booking["id"],
            "place": "T3",
            "researcher_id": "res-alice",
            "project_id": "prj_burglary",
        }
    ]


async def test_whole_opening_day_can_be_booked_but_not_an_hour_more(client, eligible, book):
    alice = await eligible(client, "res-alice")
    assert (await book(client, alice, WED_9, WED_16)).status_code == 201
    bob = await eligible(client, "res-bob")
    late = await book(client, bob, WED_9, "2027-10-27T16:00:00Z", place="T2")
    assert late.status_code == 422
    assert late.json()["rule"] == "outside_opening_hours"


async def test_place_already_taken_for_an_overlapping_hour_is_409(client, eligible, book):
    alice = await eligible(client, "res-alice")
    bob = await eligible(client, "res-bob")
    assert (await book(client, alice, WED_9, WED_11)).status_code == 201
    taken = await book(client, bob, "2027-10-27T09:00:00Z", "2027-10-27T12:00:00Z")
    assert taken.status_code == 409
    assert taken.headers["content-type"] == "application/problem+json"
    assert taken.json()["conflict"] == "place_taken"
    # the hour after alice's booking is free
    assert (await book(client, bob, WED_11, "2027-10-27T11:00:00Z")).status_code == 201


async def test_researcher_cannot_hold_two_overlapping_bookings(client, eligible, book):
    alice = await eligible(client, "res-alice")
    assert (await book(client, alice, WED_9, WED_11, place="T1")).status_code == 201
    second = await book(
        client, alice, "2027-10-27T09:00:00Z", WED_16, place="T2", site_id="titchfield"
    )
    assert second.status_code == 409
    assert second.json()["conflict"] == "researcher_overlap"


REFUSED_TIMES = [
    ("2027-10-27T08:30:00Z", "2027-10-27T10:00:00Z", "whole_hours"),
    ("2027-10-27T10:00:00Z", "2027-10-27T10:00:00Z", "whole_hours"),
    ("2027-10-25T08:00:00Z", "2027-10-25T09:00:00Z", "in_the_past"),
    ("2027-12-22T09:00:00Z", "2027-12-22T10:00:00Z", "beyond_horizon"),
    ("2027-10-30T08:00:00Z", "2027-10-30T09:00:00Z", "outside_opening_hours"),  # Saturday
    ("2027-10-27T07:00:00Z", "2027-10-27T08:00:00Z", "outside_opening_hours"),  # 08:00 BST
    ("2027-11-01T08:00:00Z", "2027-11-01T09:00:00Z", "outside_opening_hours"),  # 08:00 GMT
    ("2027-10-27T14:00:00Z", "2027-10-28T09:00:00Z", "one_day"),
    ("2027-12-27T09:00:00Z", "2027-12-27T10:00:00Z", "bank_holiday"),  # from 3 November
]


async def test_times_outside_the_rules_are_refused_with_the_reason(client, eligible, book):
    alice = await eligible(client, "res-alice")
    monday_25_october = client.clock.now
    for starts_at, ends_at, rule in REFUSED_TIMES:
        if rule == "bank_holiday":  # within the horizon only from early November
            client.clock.now = dt.datetime(2027, 11, 3, 10, tzinfo=dt.UTC)
        refused = await book(client, alice, starts_at, ends_at)
        assert refused.status_code == 422, (starts_at, refused.text)
        assert refused.json()["rule"] == rule, (starts_at, refused.json())
    assert (await client.get("/v1/bookings", headers=alice)).json()["items"] == []
    # one hour later in UTC is 09:00 London once the clocks have gone back
    client.clock.now = monday_25_october
    assert (
        await book(client, alice, "2027-11-01T09:00:00Z", "2027-11-01T10:00:00Z")
    ).status_code == 201


async def test_without_a_signed_declaration_booking_is_refused(client, eligible, book):
    alice = await eligible(client, "res-alice", sign=False)
    refused = await book(client, alice, WED_9, WED_11)
    assert refused.status_code == 422
    assert refused.json()["rule"] == "security_declaration"
    assert refused.json()["declaration_version"] == "2026.1"


async def test_a_signature_of_an_old_declaration_version_does_not_count(
    client, eligible, book, service_client
):
    alice = await eligible(client, "res-alice")
    async with service_client("booking", truncate=False, declaration_version="2027.1") as newer:
        from srs_booking.api import current_time

        newer.app.dependency_overrides[current_time] = client.clock
        refused = await book(newer, alice, WED_9, WED_11)
    assert refused.status_code == 422
    assert refused.json()["rule"] == "security_declaration"


async def test_unaccredited_or_suspended_researcher_is_refused(client, eligible, book, deliver):
    alice = await eligible(client, "res-alice")
    await deliver(
        client,
        AccreditationSuspended(
            accreditation_id="acc-res-alice",
            researcher_id="res-alice",
            organisation_id="org-ntu",
            kind="full",
            status="suspended",
            valid_from=dt.date(2026, 1, 1),
            valid_until=dt.date(2029, 1, 1),
            reason="breach",
            occurred_at=client.clock.now,
        ),
        subject="res-alice",
    )
    refused = await book(client, alice, WED_9, WED_11)
    assert refused.status_code == 422
    assert refused.json()["rule"] == "accreditation_not_current"
    assert "suspended" in refused.json()["detail"]


async def test_accreditation_ending_before_the_booking_day_is_refused(client, eligible, book):
    alice = await eligible(client, "res-alice", valid_until=dt.date(2027, 10, 26))
    refused = await book(client, alice, WED_9, WED_11)
    assert refused.status_code == 422
    assert refused.json()["rule"] == "accreditation_not_current"


async def test_researcher_not_on_the_project_is_refused(client, eligible, book):
    await eligible(client, "res-alice")
    mallory = await eligible(client, "res-mallory", project_id="prj_other")
    refused = await book(client, mallory, WED_9, WED_11, project_id="prj_burglary")
    assert refused.status_code == 422
    assert refused.json()["rule"] == "not_project_member"


async def test_project_not_yet_active_is_refused(client, eligible, book, deliver):
    from srs_common.contracts.projects import ProjectApproved, ProjectMember

    alice = await eligible(client, "res-alice")
    await deliver(
        client,
        ProjectApproved(
            project_id="prj_new",
            title="New",
            organisation_id="org-ntu",
            legal_gateway="DEA",
            dataset_ids=["ds-csew-2019"],
            members=[ProjectMember(researcher_id="res-alice", role="lead")],
            expected_end_date=dt.date(2029, 1, 1),
            approved_at=client.clock.now,
        ),
        subject="prj_new",
    )
    refused = await book(client, alice, WED_9, WED_11, project_id="prj_new")
    assert refused.status_code == 422
    assert refused.json()["rule"] == "project_not_active"
    assert "approved" in refused.json()["detail"]


async def test_project_dataset_unknown_to_the_catalogue_is_refused(client, eligible, book, deliver):
    from srs_common.contracts.projects import ProjectActivated

    alice = await eligible(client, "res-alice")
    await deliver(
        client,
        ProjectActivated(
            project_id="prj_burglary",
            organisation_id="org-ntu",
            dataset_ids=["ds-csew-2019", "ds-mystery"],
            occurred_at=client.clock.now,
        ),
        subject="prj_burglary",
    )
    refused = await book(client, alice, WED_9, WED_11)
    assert refused.status_code == 422
    assert refused.json()["rule"] == "dataset_not_permitted"
    assert refused.json()["dataset_id"] == "ds-mystery"
    # once catalogued (any access level permits a safe room), the booking goes through
    await deliver(
        client,
        DatasetCatalogued(
            dataset_id="ds-mystery",
            title="Mystery",
            owner="ONS",
            access_level="home",
            disclosure_threshold=10,
            occurred_at=client.clock.now,
        ),
        subject="ds-mystery",
    )
    assert (await book(client, alice, WED_9, WED_11)).status_code == 201


async def test_unknown_site_or_place_and_bad_input_are_422(client, eligible, book):
    alice = await eligible(client, "res-alice")
    no_site = await book(client, alice, WED_9, WED_11, site_id="atlantis")
    assert no_site.status_code == 422 and no_site.json()["errors"][0]["field"] == "body.site_id"
    no_place = await book(client, alice, WED_9, WED_11, place="T9")
    assert no_place.status_code == 422 and no_place.json()["errors"][0]["field"] == "body.place"
    pod = await book(client, alice, WED_9, WED_11, site_id="safepod-ntu", place="T1")
    assert pod.status_code == 422
    naive = await client.post(
        "/v1/bookings",
        headers=alice,
        json={
            "project_id": "prj_burglary",
            "site_id": "titchfield",
            "place": "T1",
            "starts_at": "2027-10-27T08:00:00",
            "ends_at": WED_11,
            "extra": 1,
        },
    )
    assert naive.status_code == 422
    assert {"body.starts_at", "body.extra"} <= {e["field"] for e in naive.json()["errors"]}
    ancient = await book(client, alice, "0001-01-01T00:00:00+14:00", WED_11)
    assert ancient.status_code == 422
    assert ancient.json()["errors"][0]["field"] == "body.starts_at"


async def test_times_given_with_an_offset_are_read_as_the_same_instant(client, eligible, book):
    alice = await eligible(client, "res-alice")
    created = await book(client, alice, "2027-10-27T13:30:00+05:30", "2027-10-27T15:30:00+05:30")
    assert created.status_code == 201, created.text
    assert (created.json()["starts_at"], created.json()["ends_at"]) == (WED_9, WED_11)


async def test_researcher_sees_only_their_own_bookings(client, eligible, book, tokens):
    alice = await eligible(client, "res-alice")
    bob = await eligible(client, "res-bob")
    booking_id = (await book(client, alice, WED_9, WED_11)).json()["id"]
    await book(client, bob, WED_9, WED_11, place="T2")
    assert (await client.get(f"/v1/bookings/{booking_id}", headers=bob)).status_code == 404
    assert (await client.post(f"/v1/bookings/{booking_id}/cancel", headers=bob)).status_code == 404
    mine = (await client.get("/v1/bookings", headers=bob)).json()["items"]
    assert [b["researcher_id"] for b in mine] == ["res-bob"]
    # a researcher cannot widen the list with the support-only filter
    sneaky = await client.get("/v1/bookings", params={"researcher_id": "res-alice"}, headers=bob)
    assert [b["researcher_id"] for b in sneaky.json()["items"]] == ["res-bob"]
    support = tokens.headers("support")
    everyone = (await client.get("/v1/bookings", headers=support)).json()["items"]
    assert sorted(b["researcher_id"] for b in everyone) == ["res-alice", "res-bob"]
    assert (await client.get(f"/v1/bookings/{booking_id}", headers=support)).status_code == 200
    for role in ("panel", "ops", "partner", "checker"):
        other = tokens.headers(role)
        assert (await client.get("/v1/bookings", headers=other)).status_code == 403
        assert (await client.get(f"/v1/bookings/{booking_id}", headers=other)).status_code == 403
    assert (await client.get("/v1/bookings")).status_code == 401


async def test_support_lists_with_filters_and_pages(client, eligible, book, tokens):
    alice = await eligible(client, "res-alice")
    for hour in (8, 9, 10):
        await book(
            client, alice, f"2027-10-27T{hour:02d}:00:00Z", f"2027-10-27T{hour + 1:02d}:00:00Z"
        )
    support = tokens.headers("support")
    first = (
        await client.get(
            "/v1/bookings", params={"limit": 2, "researcher_id": "res-alice"}, headers=support
        )
    ).json()
    assert len(first["items"]) == 2 and first["next"]
    rest = (
        await client.get(
            "/v1/bookings", params={"limit": 2, "cursor": first["next"]}, headers=support
        )
    ).json()
    assert [b["starts_at"] for b in first["items"] + rest["items"]] == [
        "2027-10-27T08:00:00Z",
        "2027-10-27T09:00:00Z",
        "2027-10-27T10:00:00Z",
    ]
    none = await client.get("/v1/bookings", params={"status": "cancelled"}, headers=support)
    assert none.json()["items"] == []
    from srs_common.pagination import encode_cursor

    for cursor in ("!!", encode_cursor(["2027-10-27T08:00:00", "bkg_x"]), encode_cursor([1])):
        bad = await client.get("/v1/bookings", params={"cursor": cursor}, headers=support)
        assert bad.status_code == 422, cursor
    naive = await client.get(
        "/v1/bookings", params={"starts_from": "2027-10-27T09:00:00"}, headers=support
    )
    assert naive.status_code == 422
    later = await client.get(
        "/v1/bookings", params={"starts_from": "2027-10-27T09:00:00Z"}, headers=support
    )
    assert [b["starts_at"] for b in later.json()["items"]] == [
        "2027-10-27T09:00:00Z",
        "2027-10-27T10:00:00Z",
    ]


async def test_cancelling_frees_the_place_and_publishes_the_reason(client, eligible, book, events):
    alice = await eligible(client, "res-alice")
    bob = await eligible(client, "res-bob")
    booking_id = (await book(client, alice, WED_9, WED_11)).json()["id"]
    cancelled = await client.post(
        f"/v1/bookings/{booking_id}/cancel", json={"reason": "train strike"}, headers=alice
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "train strike"
    assert (await book(client, bob, WED_9, WED_11)).status_code == 201
    again = await client.post(f"/v1/bookings/{booking_id}/cancel", headers=alice)
    assert again.status_code == 409 and again.json()["current_state"] == "cancelled"
    cancels = [p for t, p in await events(client) if t == "srs.booking.cancelled.v1"]
    assert [(p["reason"], p["cancelled_by"]) for p in cancels] == [("train strike", "researcher")]


async def test_researcher_cannot_cancel_once_started_but_support_can(
    client, eligible, book, tokens
):
    alice = await eligible(client, "res-alice")
    booking_id = (await book(client, alice, WED_9, WED_11)).json()["id"]
    client.clock.now = dt.datetime(2027, 10, 27, 8, 30, tzinfo=dt.UTC)
    late = await client.post(f"/v1/bookings/{booking_id}/cancel", headers=alice)
    assert late.status_code == 409 and late.json()["current_state"] == "started"
    by_support = await client.post(
        f"/v1/bookings/{booking_id}/cancel",
        json={"reason": "terminal fault"},
        headers=tokens.headers("support"),
    )
    assert by_support.status_code == 200
    assert by_support.json()["cancelled_by"] == "support"


async def test_support_records_attendance_and_no_shows_once_started(
    client, eligible, book, tokens, events
):
    alice = await eligible(client, "res-alice")
    bob = await eligible(client, "res-bob")
    came = (await book(client, alice, WED_9, WED_11)).json()["id"]
    missed = (await book(client, bob, WED_9, WED_11, place="T2")).json()["id"]
    support = tokens.headers("support")
    early = await client.post(f"/v1/bookings/{came}/attended", headers=support)
    assert early.status_code == 409 and early.json()["current_state"] == "upcoming"
    client.clock.now = dt.datetime(2027, 10, 27, 8, 5, tzinfo=dt.UTC)
    assert (await client.post(f"/v1/bookings/{came}/attended", headers=alice)).status_code == 403
    attended = await client.post(f"/v1/bookings/{came}/attended", headers=support)
    assert attended.status_code == 200 and attended.json()["status"] == "attended"
    no_show = await client.post(f"/v1/bookings/{missed}/no-show", headers=support)
    assert no_show.status_code == 200 and no_show.json()["status"] == "no_show"
    twice = await client.post(f"/v1/bookings/{came}/no-show", headers=support)
    assert twice.status_code == 409 and twice.json()["current_state"] == "attended"
    assert (await client.post("/v1/bookings/bkg_nope/attended", headers=support)).status_code == 404
    types = [t for t, _ in await events(client)]
    assert types.count("srs.booking.attended.v1") == 1
    assert types.count("srs.booking.no_show.v1") == 1
