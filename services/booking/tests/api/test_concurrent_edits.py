"""Two support staff changing a site's hours and closures at once: the site carries an
ETag covering its closures; a stale If-Match is 412 and announces nothing."""

from __future__ import annotations

CLOSURE = {
    "starts_at": "2027-10-27T08:00:00Z",
    "ends_at": "2027-10-27T12:00:00Z",
    "reason": "fire alarm testing",
}
HOURS = {
    "first_day": "2027-10-28",
    "last_day": "2027-10-28",
    "opens_at": "10:00:00",
    "closes_at": "14:00:00",
    "reason": "reduced staffing",
}


async def test_a_closure_announced_from_a_stale_site_is_refused(client, tokens, events):
    support = tokens.headers("support")
    read = await client.get("/v1/sites/newport", headers=support)
    tag = read.headers["etag"]
    closures = await client.get("/v1/sites/newport/closures", headers=support)
    assert closures.headers["etag"] == tag
    first = await client.post(
        "/v1/sites/newport/closures", json=CLOSURE, headers={**support, "If-Match": tag}
    )
    assert first.status_code == 201, first.text
    assert first.headers["etag"] != tag
    published = len(await events(client))
    # A second member of staff, still looking at the site as it was, shortens the hours.
    second = await client.post(
        "/v1/sites/newport/hours-changes", json=HOURS, headers={**support, "If-Match": tag}
    )
    assert second.status_code == 412
    problem = second.json()
    assert problem["resource"].startswith("site Newport")
    assert problem["current_etag"] == first.headers["etag"]
    after = await client.get("/v1/sites/newport/closures", headers=support)
    assert [c["reason"] for c in after.json()] == ["fire alarm testing"]
    assert after.headers["etag"] == first.headers["etag"]
    assert len(await events(client)) == published
    # With the version they now see, the change goes through and moves the tag again.
    third = await client.post(
        "/v1/sites/newport/hours-changes",
        json=HOURS,
        headers={**support, "If-Match": after.headers["etag"]},
    )
    assert third.status_code == 201, third.text
    assert third.headers["etag"] not in (tag, first.headers["etag"])
    assert (await client.get("/v1/sites/newport", headers=support)).headers[
        "etag"
    ] == third.headers["etag"]


async def test_without_if_match_closures_are_announced_as_before(client, tokens):
    support = tokens.headers("support")
    plain = await client.post("/v1/sites/newport/closures", json=CLOSURE, headers=support)
    assert plain.status_code == 201 and plain.headers["etag"]
    missing = await client.post(
        "/v1/sites/atlantis/closures", json=CLOSURE, headers={**support, "If-Match": '"x"'}
    )
    assert missing.status_code == 404
