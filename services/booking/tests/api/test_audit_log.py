"""Staff actions on bookings and sites are in the booking service's hash-chained audit
log: who cancelled whose booking and why, which closure cancelled how many, who recorded
attendance. Researchers cancelling their own bookings are not staff decisions."""

from __future__ import annotations

import datetime as dt

WED_9, WED_11 = "2027-10-27T08:00:00Z", "2027-10-27T10:00:00Z"


async def audit(client, tokens, **params) -> list[dict]:
    response = await client.get(
        "/v1/audit/booking", params=params, headers=tokens.headers("support")
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_staff_cancellations_closures_and_attendance_are_audited(
    client, eligible, book, tokens, events
):
    alice = await eligible(client, "res-alice")
    bob = await eligible(client, "res-bob")
    own = (await book(client, alice, WED_9, WED_11)).json()["id"]
    assert (await client.post(f"/v1/bookings/{own}/cancel", headers=alice)).status_code == 200
    staff_cancelled = (await book(client, bob, WED_9, WED_11, place="T2")).json()["id"]
    support = tokens.headers("support")
    cancelled = await client.post(
        f"/v1/bookings/{staff_cancelled}/cancel", json={"reason": "terminal fault"}, headers=support
    )
    assert cancelled.status_code == 200
    closed_on = (await book(client, alice, "2027-10-28T08:00:00Z", "2027-10-28T10:00:00Z")).json()
    closure = await client.post(
        "/v1/sites/titchfield/closures",
        headers=support,
        json={
            "starts_at": "2027-10-28T08:00:00Z",
            "ends_at": "2027-10-28T12:00:00Z",
            "reason": "fire alarm testing",
        },
    )
    assert closure.status_code == 201, closure.text
    attended = (await book(client, bob, "2027-10-29T08:00:00Z", "2027-10-29T10:00:00Z")).json()
    client.clock.now = dt.datetime(2027, 10, 29, 8, 5, tzinfo=dt.UTC)
    assert (
        await client.post(f"/v1/bookings/{attended['id']}/attended", headers=support)
    ).status_code == 200

    entries = await audit(client, tokens)
    assert [(e["action"], e["subject_type"], e["subject_id"]) for e in entries] == [
        ("booking.cancel", "booking", staff_cancelled),
        ("site.close", "site", "titchfield"),
        ("booking.attended", "booking", attended["id"]),
    ], "the researcher's own cancellation and the closure's cascade are not staff entries"
    cancel, close, visit = entries
    assert cancel["researcher_id"] == "res-bob" and cancel["detail"]["reason"] == "terminal fault"
    assert cancel["actor"] == "support-user" and cancel["outcome"] == "cancelled"
    assert close["detail"]["cancelled_bookings"] == 1 and closed_on["status"] == "confirmed"
    assert visit["outcome"] == "attended"
    assert [e["seq"] for e in entries] == [1, 2, 3], "sealed into the chain before listing"
    about_bob = await audit(client, tokens, researcher_id="res-bob")
    assert {e["subject_id"] for e in about_bob} == {staff_cancelled, attended["id"]}

    verified = await client.get("/v1/audit/booking/verification", headers=tokens.headers("ops"))
    assert verified.json() == {
        "valid": True,
        "entries_checked": 3,
        "first_broken_seq": None,
        "problem": None,
        "newest_anchor_seq": 3,
    }
    anchors = [p for t, p in await events(client) if t == "srs.booking.audit_anchored.v1"]
    assert anchors and anchors[-1]["seq"] == 3


async def test_only_support_and_ops_read_the_audit_log(client, tokens):
    for role in ("researcher", "panel", "checker", "data_owner", "partner"):
        for path in ("/v1/audit/booking", "/v1/audit/booking/verification"):
            response = await client.get(path, headers=tokens.headers(role))
            assert response.status_code == 403, (role, path)
    assert (await client.get("/v1/audit/booking")).status_code == 401
