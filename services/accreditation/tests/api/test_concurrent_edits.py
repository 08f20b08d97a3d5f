"""Two panel members deciding one application, two support staff changing one
accreditation: each carries an ETag; a stale If-Match is 412 and decides nothing."""

from __future__ import annotations


async def test_a_decision_on_an_application_changed_meanwhile_is_refused(
    client, flow, tokens, events
):
    await flow.register("res-etag")
    application = await flow.submitted("res-etag")
    url = f"/v1/applications/{application['id']}"
    first, second = tokens.headers("panel", sub="panel-a"), tokens.headers("panel", sub="panel-b")
    tag = (await client.get(url, headers=second)).headers["etag"]
    asked = await client.post(
        f"{url}/request-information",
        json={"reason": "which training course?"},
        headers={**first, "If-Match": tag},
    )
    assert asked.status_code == 200, asked.text
    assert asked.headers["etag"] != tag
    stale = await client.post(
        f"{url}/approve", json={"reason": "meets the criteria"}, headers={**second, "If-Match": tag}
    )
    assert stale.status_code == 412
    assert stale.json()["resource"] == f"application {application['id']}"
    assert stale.json()["current_etag"] == asked.headers["etag"]
    assert (await client.get(url, headers=second)).json()["status"] == "information_requested"
    assert await events("srs.accreditation.granted.v1") == []


async def test_support_changing_an_accreditation_from_a_stale_page_get_412(client, flow, events):
    accreditation = await flow.accredit("res-susp")
    url = f"/v1/accreditations/{accreditation['id']}"
    tag = (await client.get(url, headers=flow.support)).headers["etag"]
    suspended = await client.post(
        f"{url}/suspend",
        json={"reason": "under investigation"},
        headers={**flow.support, "If-Match": tag},
    )
    assert suspended.status_code == 200, suspended.text
    assert suspended.headers["etag"] != tag
    revoked = await client.post(
        f"{url}/revoke",
        json={"reason": "breach of output rules"},
        headers={**flow.support, "If-Match": tag},
    )
    assert revoked.status_code == 412
    read = await client.get(url, headers=flow.support)
    assert read.json()["status"] == "suspended"
    assert await events("srs.accreditation.revoked.v1") == []
    reinstated = await client.post(
        f"{url}/reinstate",
        json={"reason": "investigation closed"},
        headers={**flow.support, "If-Match": read.headers["etag"]},
    )
    assert reinstated.status_code == 200, reinstated.text
    assert reinstated.json()["status"] == "current"


async def test_an_application_the_panel_may_not_see_is_404_not_412(client, flow, tokens):
    await flow.register("res-draft")
    draft = await flow.draft("res-draft")
    answer = await client.post(
        f"/v1/applications/{draft['id']}/reject",
        json={"reason": "not yet submitted"},
        headers={**tokens.headers("panel"), "If-Match": '"stale"'},
    )
    assert answer.status_code == 404 and "current_etag" not in answer.json()
