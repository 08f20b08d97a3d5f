"""Two checkers consolidating one output request at once: the request carries an ETag; a
decision from a stale page is 412 and decides nothing."""

from __future__ import annotations


async def test_a_consolidating_decision_from_a_stale_page_is_refused(world):
    client = world.client
    output_id = await world.in_review()
    await world.reviewed(output_id)
    url = f"/v1/outputs/{output_id}"
    tag = (await client.get(url, headers=world.as_("checker2"))).headers["etag"]
    first = await client.post(
        f"{url}/decision",
        headers={**world.as_("checker1"), "If-Match": tag},
        json={"decision": "approve", "reason": "safe"},
    )
    assert first.status_code == 200, first.text
    assert first.headers["etag"] != tag
    decided = len(await world.events())
    second = await client.post(
        f"{url}/decision",
        headers={**world.as_("checker2"), "If-Match": tag},
        json={"decision": "reject", "reason": "disclosive"},
    )
    assert second.status_code == 412
    assert second.json()["resource"] == f"output request {output_id}"
    assert second.json()["current_etag"] == first.headers["etag"]
    now = await client.get(url, headers=world.as_("checker2"))
    assert now.json()["status"] == "approved"
    assert now.headers["etag"] == first.headers["etag"]
    assert len(await world.events()) == decided


async def test_taking_a_request_into_review_needs_the_current_version(world):
    client = world.client
    output_id = await world.submitted()
    url = f"/v1/outputs/{output_id}"
    tag = (await client.get(url, headers=world.as_("checker1"))).headers["etag"]
    taken = await client.post(f"{url}/review", headers={**world.as_("checker1"), "If-Match": tag})
    assert taken.status_code == 200, taken.text
    again = await client.post(
        f"{url}/clarification",
        headers={**world.as_("checker2"), "If-Match": tag},
        json={"text": "What is in column 3?"},
    )
    assert again.status_code == 412
    assert (await client.get(url, headers=world.as_("checker2"))).json()["status"] == "in_review"
