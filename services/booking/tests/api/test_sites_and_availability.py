"""Sites, announced closures, the security declaration and the availability read."""

from __future__ import annotations

import datetime as dt

WED_9 = "2027-10-27T08:00:00Z"
WED_11 = "2027-10-27T10:00:00Z"


async def test_sites_list_their_places_and_hours(client, tokens):
    anyone = tokens.headers("researcher", researcher_id="res-alice")
    sites = (await client.get("/v1/sites", headers=anyone)).json()
    by_id = {s["id"]: s for s in sites}
    assert set(by_id) == {"titchfield", "newport", "safepod-ntu", "safepod-bristol"}
    assert by_id["titchfield"]["places"] == [f"T{n}" for n in range(1, 9)]
    assert by_id["safepod-ntu"]["places"] == ["POD"]
    assert (by_id["newport"]["opens_at"], by_id["newport"]["closes_at"]) == ("09:00:00", "16:00:00")
    assert (await client.get("/v1/sites/newport", headers=anyone)).json()[
        "location"
    ] == "Newport, Gwent"
    assert (await client.get("/v1/sites/atlantis", headers=anyone)).status_code == 404
    assert (await client.get("/v1/sites")).status_code == 401


async def test_availability_never_says_who_booked_and_moves_with_the_clocks(
    client, eligible, book, tokens
):
    alice = await eligible(client, "res-alice")
    await book(client, alice, WED_9, WED_11, place="T2")
    bob = tokens.headers("researcher", researcher_id="res-bob")
    response = await client.get(
        "/v1/availability",
        headers=bob,
        params={"site_id": "titchfield", "from": "2027-10-27", "to": "2027-11-01"},
    )
    assert response.status_code == 200, response.text
    assert "res-alice" not in response.text
    body = response.json()
    assert (body["from"], body["to"]) == ("2027-10-27", "2027-11-01")
    slots = {s["starts_at"]: s for s in body["sites"][0]["slots"]}
    wed = slots["2027-10-27T08:00:00Z"]
    assert wed["free"] == 7 and "T2" not in wed["free_places"]
    assert slots["2027-10-27T10:00:00Z"]["free"] == 8
    # Friday in BST opens at 08:00Z; Monday in GMT at 09:00Z; nothing at the weekend
    assert "2027-10-29T08:00:00Z" in slots and "2027-11-01T08:00:00Z" not in slots
    assert "2027-11-01T09:00:00Z" in slots and "2027-11-01T15:00:00Z" in slots
    assert not any(s.startswith(("2027-10-30", "2027-10-31")) for s in slots)
    assert len(slots) == 4 * 7


async def test_every_place_taken_in_an_hour_is_taken_at_its_own_site_only(
    client, eligible, book, tokens
):
    alice = await eligible(client, "res-alice")
    bob = await eligible(client, "res-bob")
    carol = await eligible(client, "res-carol")
    for booked in (
        await book(client, alice, WED_9, WED_11, place="T2"),
        await book(client, bob, WED_9, "2027-10-27T09:00:00Z", place="T7"),
        await book(client, carol, WED_9, "2027-10-27T09:00:00Z", site_id="newport", place="T2"),
    ):
        assert booked.status_code == 201, booked.text
    body = (
        await client.get(
            "/v1/availability",
            headers=tokens.headers("ops"),
            params={"from": "2027-10-27", "to": "2027-10-27"},
        )
    ).json()
    by_site = {s["site_id"]: {x["starts_at"]: x for x in s["slots"]} for s in body["sites"]}
    titchfield, newport = by_site["titchfield"], by_site["newport"]
    assert titchfield[WED_9]["free_places"] == ["T1", "T3", "T4", "T5", "T6", "T8"]
    assert titchfield[WED_9]["free"] == 6
    assert titchfield["2027-10-27T09:00:00Z"]["free_places"] == [
        f"T{n}" for n in range(1, 9) if n != 2
    ]
    assert titchfield[WED_11]["free"] == 8
    assert newport[WED_9]["free_places"] == ["T1", "T3", "T4", "T5", "T6"]
    assert newport["2027-10-27T09:00:00Z"]["free"] == 6


async def test_availability_covers_every_site_and_hides_past_and_closed_slots(client, tokens):
    anyone = tokens.headers("ops")
    client.clock.now = dt.datetime(2027, 10, 27, 10, 30, tzinfo=dt.UTC)  # 11:30 BST Wednesday
    body = (
        await client.get(
            "/v1/availability", params={"from": "2027-10-27", "to": "2027-10-27"}, headers=anyone
        )
    ).json()
    by_site = {s["site_id"]: s["slots"] for s in body["sites"]}
    assert set(by_site) == {"titchfield", "newport", "safepod-ntu", "safepod-bristol"}
    assert by_site["titchfield"][0]["starts_at"] == "2027-10-27T11:00:00Z"
    assert by_site["safepod-ntu"][-1]["starts_at"] == "2027-10-27T16:00:00Z"  # pod closes 18:00
    assert by_site["safepod-ntu"][0]["free_places"] == ["POD"]


async def test_availability_range_is_checked(client, tokens):
    anyone = tokens.headers("researcher", researcher_id="res-a")
    backwards = await client.get(
        "/v1/availability", params={"from": "2027-11-02", "to": "2027-11-01"}, headers=anyone
    )
    assert backwards.status_code == 422
    too_long = await client.get(
        "/v1/availability", params={"from": "2027-11-01", "to": "2028-01-01"}, headers=anyone
    )
    assert too_long.status_code == 422 and "31 days" in too_long.json()["detail"]
    for far in (
        {"from": "9999-12-31"},
        {"from": "0001-01-01", "to": "0001-01-02"},
        {"from": "2027-10-25", "to": "9999-12-31"},
    ):
        assert (
            await client.get("/v1/availability", params=far, headers=anyone)
        ).status_code == 422, far
    assert (
        await client.get("/v1/availability", params={"site_id": "atlantis"}, headers=anyone)
    ).status_code == 404
    assert (await client.get("/v1/availability")).status_code == 401
    default = (await client.get("/v1/availability", headers=anyone)).json()
    assert (default["from"], default["to"]) == ("2027-10-25", "2027-10-31")
    # Slots are listed past the booking horizon; the answer says where bookings stop.
    assert default["bookable_until"] == "2027-12-20T10:00:00Z"  # NOW + 56 days


async def test_announced_closure_cancels_affected_bookings_and_closes_the_hours(
    client, eligible, book, tokens, events
):
    alice = await eligible(client, "res-alice")
    bob = await eligible(client, "res-bob")
    hit = (await book(client, alice, WED_9, WED_11)).json()["id"]
    spared = (
        await book(client, bob, "2027-10-27T13:00:00Z", "2027-10-27T15:00:00Z", place="T2")
    ).json()["id"]
    support = tokens.headers("support")
    announced = await client.post(
        "/v1/sites/titchfield/closures",
        headers=support,
        json={
            "starts_at": "2027-10-27T08:00:00Z",
            "ends_at": "2027-10-27T12:00:00Z",
            "reason": "fire alarm testing",
        },
    )
    assert announced.status_code == 201, announced.text
    assert announced.json()["cancelled_bookings"] == 1
    assert (await client.get(f"/v1/bookings/{hit}", headers=alice)).json()[
        "cancel_reason"
    ] == "site closure: fire alarm testing"
    assert (await client.get(f"/v1/bookings/{spared}", headers=bob)).json()["status"] == "confirmed"
    refused = await book(client, bob, "2027-10-27T09:00:00Z", "2027-10-27T10:00:00Z", place="T3")
    assert refused.status_code == 422 and refused.json()["rule"] == "site_closed"
    slots = (
        await client.get(
            "/v1/availability",
            headers=bob,
            params={"site_id": "titchfield", "from": "2027-10-27", "to": "2027-10-27"},
        )
    ).json()
    assert [s["starts_at"] for s in slots["sites"][0]["slots"]] == [
        "2027-10-27T12:00:00Z",
        "2027-10-27T13:00:00Z",
        "2027-10-27T14:00:00Z",
    ]
    closures = (await client.get("/v1/sites/titchfield/closures", headers=bob)).json()
    assert [c["reason"] for c in closures] == ["fire alarm testing"]
    published = await events(client)
    assert [t for t, _ in published][-2:] == [
        "srs.booking.cancelled.v1",
        "srs.site.closure_announced.v1",
    ]
    assert published[-1][1]["cancelled_bookings"] == 1


async def test_only_support_announces_closures_and_only_in_advance(client, tokens):
    body = {
        "starts_at": "2027-10-27T08:00:00Z",
        "ends_at": "2027-10-27T12:00:00Z",
        "reason": "building works",
    }
    for role in ("researcher", "ops", "panel"):
        assert (
            await client.post("/v1/sites/newport/closures", json=body, headers=tokens.headers(role))
        ).status_code == 403
    support = tokens.headers("support")
    past = await client.post(
        "/v1/sites/newport/closures",
        headers=support,
        json={**body, "starts_at": "2027-10-25T08:00:00Z"},
    )
    assert past.status_code == 422 and past.json()["rule"] == "in_the_past"
    backwards = await client.post(
        "/v1/sites/newport/closures",
        headers=support,
        json={**body, "ends_at": "2027-10-27T07:00:00Z"},
    )
    assert backwards.status_code == 422
    assert (
        await client.post("/v1/sites/atlantis/closures", json=body, headers=support)
    ).status_code == 404
    assert (await client.get("/v1/sites/atlantis/closures", headers=support)).status_code == 404


async def test_declaration_is_versioned_signed_once_with_a_timestamp(client, tokens):
    alice = tokens.headers("researcher", researcher_id="res-alice")
    text = (await client.get("/v1/declaration", headers=alice)).json()
    assert text["version"] == "2026.1" and "safe" in text["text"]
    assert (await client.get("/v1/declarations/me", headers=alice)).status_code == 404
    old = await client.post("/v1/declarations", json={"version": "2025.9"}, headers=alice)
    assert old.status_code == 422 and old.json()["current_version"] == "2026.1"
    signed = await client.post("/v1/declarations", json={"version": "2026.1"}, headers=alice)
    assert signed.status_code == 201
    assert signed.json()["signed_at"] == "2027-10-25T10:00:00Z"
    client.clock.now += dt.timedelta(days=1)
    again = await client.post("/v1/declarations", json={"version": "2026.1"}, headers=alice)
    assert again.json()["signed_at"] == "2027-10-25T10:00:00Z"
    mine = (await client.get("/v1/declarations/me", headers=alice)).json()
    assert (mine["researcher_id"], mine["version"]) == ("res-alice", "2026.1")
    support = tokens.headers("support")
    assert (
        await client.post("/v1/declarations", json={"version": "2026.1"}, headers=support)
    ).status_code == 403
    assert (await client.get("/v1/declarations/me", headers=support)).status_code == 403
    bob = tokens.headers("researcher", researcher_id="res-bob")
    assert (await client.get("/v1/declarations/me", headers=bob)).status_code == 404


async def test_every_route_is_documented_with_a_summary_and_errors(client):
    spec = (await client.get("/openapi.json")).json()
    for path, operations in spec["paths"].items():
        if not path.startswith("/v1/") or path == "/v1/messaging":
            continue
        for method, operation in operations.items():
            assert operation.get("summary"), (method, path)
            assert "401" in operation["responses"], (method, path)
            if method == "post" and "requestBody" in operation:
                ref = operation["requestBody"]["content"]["application/json"]["schema"]
                assert ref, (method, path)
    schemas = spec["components"]["schemas"]
    for name in (
        "BookingCreate",
        "BookingRead",
        "AvailabilityRead",
        "ClosureCreate",
        "DeclarationSign",
        "SiteRead",
    ):
        assert schemas[name].get("examples"), name


async def test_shorter_hours_cancel_bookings_in_the_lost_hours_only(
    client, eligible, book, tokens, events
):
    alice = await eligible(client, "res-alice")
    bob = await eligible(client, "res-bob")
    early = (await book(client, alice, WED_9, WED_11)).json()["id"]  # 09-11 London
    midday = (
        await book(client, bob, "2027-10-27T10:00:00Z", "2027-10-27T12:00:00Z", place="T2")
    ).json()["id"]  # 11-13 London
    support = tokens.headers("support")
    change = {
        "first_day": "2027-10-27",
        "last_day": "2027-11-01",
        "opens_at": "10:00:00",
        "closes_at": "14:00:00",
        "reason": "reduced staffing",
    }
    announced = await client.post(
        "/v1/sites/titchfield/hours-changes", json=change, headers=support
    )
    assert announced.status_code == 201, announced.text
    closures = announced.json()
    # Wed, Thu, Fri, Mon: two lost periods each; none at the weekend
    assert len(closures) == 8
    assert [c["cancelled_bookings"] for c in closures][:2] == [1, 0]
    assert (closures[0]["starts_at"], closures[0]["ends_at"]) == (WED_9, "2027-10-27T09:00:00Z")
    # after the clocks go back, 10:00 London is 10:00Z
    assert closures[-2]["ends_at"] == "2027-11-01T10:00:00Z"
    assert (await client.get(f"/v1/bookings/{early}", headers=alice)).json()[
        "cancel_reason"
    ] == "site closure: opening hours 10:00-14:00: reduced staffing"
    assert (await client.get(f"/v1/bookings/{midday}", headers=bob)).json()["status"] == "confirmed"
    slots = (
        await client.get(
            "/v1/availability",
            headers=bob,
            params={"site_id": "titchfield", "from": "2027-11-01", "to": "2027-11-01"},
        )
    ).json()
    assert [s["starts_at"][11:16] for s in slots["sites"][0]["slots"]] == [
        "10:00",
        "11:00",
        "12:00",
        "13:00",
    ]
    assert [t for t, _ in await events(client)].count("srs.site.closure_announced.v1") == 8


async def test_hours_changes_are_support_only_in_advance_and_reductions(client, tokens):
    change = {
        "first_day": "2027-10-27",
        "last_day": "2027-10-28",
        "opens_at": "10:00:00",
        "closes_at": "14:00:00",
        "reason": "reduced staffing",
    }
    path = "/v1/sites/newport/hours-changes"
    assert (
        await client.post(path, json=change, headers=tokens.headers("researcher"))
    ).status_code == 403
    support = tokens.headers("support")
    for bad, rule in (
        ({"first_day": "2027-10-25"}, "in_the_past"),
        ({"opens_at": "08:00:00"}, "hours_reduction_only"),
        ({"closes_at": "09:00:00", "opens_at": "10:00:00"}, "hours_reduction_only"),
        ({"opens_at": "10:30:00"}, "whole_hours"),
    ):
        response = await client.post(path, json={**change, **bad}, headers=support)
        assert response.status_code == 422, bad
        assert response.json()["rule"] == rule, bad
    backwards = await client.post(path, json={**change, "last_day": "2027-10-26"}, headers=support)
    assert backwards.status_code == 422
    assert (
        await client.post("/v1/sites/atlantis/hours-changes", json=change, headers=support)
    ).status_code == 404
    assert (await client.get("/v1/sites/newport/closures", headers=support)).json() == []
