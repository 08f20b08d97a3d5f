"""Who may call each route: no token is 401 everywhere; roles outside a route's audience
are 403; objects that are not the caller's are 404 (tested beside each use case)."""

from __future__ import annotations

ROUTES = [
    ("get", "/v1/sites"),
    ("get", "/v1/sites/titchfield"),
    ("get", "/v1/sites/titchfield/closures"),
    ("post", "/v1/sites/titchfield/closures"),
    ("post", "/v1/sites/titchfield/hours-changes"),
    ("get", "/v1/availability"),
    ("get", "/v1/declaration"),
    ("post", "/v1/declarations"),
    ("get", "/v1/declarations/me"),
    ("post", "/v1/bookings"),
    ("get", "/v1/bookings"),
    ("get", "/v1/bookings/bkg_1"),
    ("post", "/v1/bookings/bkg_1/cancel"),
    ("post", "/v1/bookings/bkg_1/attended"),
    ("post", "/v1/bookings/bkg_1/no-show"),
]


async def test_every_route_needs_a_valid_token(client):
    for method, path in ROUTES:
        response = await client.request(method, path, json={})
        assert response.status_code == 401, (method, path)
        assert response.headers["content-type"] == "application/problem+json"
        forged = await client.request(
            method, path, json={}, headers={"Authorization": "Bearer not-a-token"}
        )
        assert forged.status_code == 401, (method, path)


async def test_only_researchers_book_and_sign(client, tokens, events):
    for role in ("support", "panel", "ops", "partner", "checker", "data_owner"):
        headers = tokens.headers(role)
        booking = await client.post(
            "/v1/bookings",
            headers=headers,
            json={
                "project_id": "prj_burglary",
                "site_id": "titchfield",
                "place": "T1",
                "starts_at": "2027-10-27T08:00:00Z",
                "ends_at": "2027-10-27T10:00:00Z",
            },
        )
        assert booking.status_code == 403, role
        signed = await client.post("/v1/declarations", json={"version": "2026.1"}, headers=headers)
        assert signed.status_code == 403, role
    assert await events(client) == []


async def test_researchers_cannot_record_visits_even_for_their_own_booking(client, eligible, book):
    alice = await eligible(client, "res-alice")
    booking_id = (await book(client, alice, "2027-10-27T08:00:00Z", "2027-10-27T10:00:00Z")).json()[
        "id"
    ]
    for action in ("attended", "no-show"):
        response = await client.post(f"/v1/bookings/{booking_id}/{action}", headers=alice)
        assert response.status_code == 403
    read = await client.get(f"/v1/bookings/{booking_id}", headers=alice)
    assert read.json()["status"] == "confirmed"
