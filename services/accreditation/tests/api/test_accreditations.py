"""Accreditations: validity from policy, renewal, suspension, reinstatement, revocation."""

from __future__ import annotations

import datetime as dt

from srs_accreditation.domain import add_years


def years_from_today(years: int) -> str:
    return (add_years(dt.date.today(), years) - dt.timedelta(days=1)).isoformat()


async def test_validity_comes_from_the_policy_setting_per_kind(flow, service_client, flow_factory):
    granted = await flow.accredit("res-alice", "full")
    assert granted["valid_from"] == dt.date.today().isoformat()
    assert granted["valid_until"] == years_from_today(3)
    async with service_client("accreditation", truncate=False, full_validity_years=5) as five:
        other = flow_factory(five)
        longer = await other.accredit("res-bob", "full")
        assert longer["valid_until"] == years_from_today(5)


async def test_renewal_before_expiry_extends_from_the_old_end_date(client, flow, events):
    first = await flow.accredit("res-alice", "full")
    renewal = await flow.submitted("res-alice", "full")
    approved = await flow.approve(renewal["id"])
    assert approved.json()["accreditation_id"] == first["id"]
    renewed = (await client.get(f"/v1/accreditations/{first['id']}", headers=flow.support)).json()
    old_until = dt.date.fromisoformat(first["valid_until"])
    expected = add_years(old_until + dt.timedelta(days=1), 3) - dt.timedelta(days=1)
    assert renewed["valid_until"] == expected.isoformat()
    assert renewed["valid_from"] == first["valid_from"]
    [event] = await events("srs.accreditation.renewed.v1")
    assert event["previous_valid_until"] == first["valid_until"]
    assert event["valid_until"] == expected.isoformat()
    assert event["application_id"] == renewal["id"]
    assert len(await events("srs.accreditation.granted.v1")) == 1


async def test_a_legacy_one_year_provisional_is_not_lengthened_but_its_renewal_is_full(
    flow, service_client, flow_factory
):
    await flow.accredit("res-prof", "full")
    await flow.register("res-student", qualifications={"degree": "none"})
    async with service_client(
        "accreditation", truncate=False, provisional_validity_years=1
    ) as legacy_policy:
        legacy = await flow_factory(legacy_policy).accredit(
            "res-student", "provisional", register=False, supervisor_id="res-prof"
        )
    assert legacy["valid_until"] == years_from_today(1)
    async with service_client("accreditation", truncate=False) as today_policy:
        now = flow_factory(today_policy)
        unchanged = (
            await today_policy.get(f"/v1/accreditations/{legacy['id']}", headers=now.support)
        ).json()
        assert unchanged["valid_until"] == years_from_today(1)
        renewal = await now.submitted("res-student", "provisional", supervisor_id="res-prof")
        assert (await now.approve(renewal["id"])).status_code == 200
        renewed = (
            await today_policy.get(f"/v1/accreditations/{legacy['id']}", headers=now.support)
        ).json()
    old_until = dt.date.fromisoformat(legacy["valid_until"])
    assert (
        renewed["valid_until"]
        == (add_years(old_until + dt.timedelta(days=1), 3) - dt.timedelta(days=1)).isoformat()
    )


async def test_support_suspends_reinstates_and_revokes_with_reasons(client, flow, events):
    accreditation = await flow.accredit("res-alice", "full")
    url = f"/v1/accreditations/{accreditation['id']}"
    suspended = await client.post(
        f"{url}/suspend", json={"reason": "under investigation"}, headers=flow.support
    )
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["status"] == "suspended"
    again = await client.post(f"{url}/suspend", json={"reason": "twice"}, headers=flow.support)
    assert again.status_code == 409 and again.json()["current_state"] == "suspended"
    reinstated = await client.post(
        f"{url}/reinstate", json={"reason": "cleared"}, headers=flow.support
    )
    assert reinstated.json()["status"] == "current"
    revoked = await client.post(
        f"{url}/revoke", json={"reason": "breach of output rules"}, headers=flow.support
    )
    assert revoked.json()["status"] == "revoked"
    assert revoked.json()["status_reason"] == "breach of output rules"
    late = await client.post(f"{url}/reinstate", json={"reason": "sorry"}, headers=flow.support)
    assert late.status_code == 409 and late.json()["current_state"] == "revoked"
    types = [e["type"].split(".")[2] for e in await events() if e["key"] == accreditation["id"]]
    assert types == ["granted", "suspended", "reinstated", "revoked"]
    [revoked_event] = await events("srs.accreditation.revoked.v1")
    assert revoked_event["reason"] == "breach of output rules"
    assert revoked_event["organisation_id"] == "org-ntu"


async def test_a_suspended_researcher_cannot_apply_again_until_reinstated(client, flow):
    accreditation = await flow.accredit("res-alice", "full")
    await client.post(
        f"/v1/accreditations/{accreditation['id']}/suspend",
        json={"reason": "breach"},
        headers=flow.support,
    )
    application = await flow.draft("res-alice", "srsa_approved")
    refused = await flow.submit("res-alice", application["id"])
    assert refused.status_code == 422 and refused.json()["rule"] == "not_suspended"


async def test_who_may_see_and_change_an_accreditation(client, flow):
    accreditation = await flow.accredit("res-alice", "full", org="org-ntu")
    await flow.register("res-bob", org="org-ntu")
    url = f"/v1/accreditations/{accreditation['id']}"
    for headers in (
        flow.researcher("res-alice"),
        flow.support,
        flow.panel,
        flow.partner("org-ntu"),
    ):
        assert (await client.get(url, headers=headers)).status_code == 200
    for headers in (flow.researcher("res-bob"), flow.partner("org-ucl")):
        assert (await client.get(url, headers=headers)).status_code == 404
    listing = "/v1/researchers/res-alice/accreditations"
    assert (await client.get(listing, headers=flow.researcher("res-alice"))).status_code == 200
    assert (await client.get(listing, headers=flow.researcher("res-bob"))).status_code == 404
    assert (await client.get(listing, headers=flow.partner("org-ucl"))).status_code == 404
    for action in ("suspend", "reinstate", "revoke"):
        for headers in (flow.researcher("res-alice"), flow.panel, flow.partner("org-ntu")):
            response = await client.post(
                f"{url}/{action}", json={"reason": "because"}, headers=headers
            )
            assert response.status_code == 403, (action, response.text)
    assert (
        await client.post(f"{url}/suspend", json={"reason": ""}, headers=flow.support)
    ).status_code == 422
    assert (await client.get(url, headers=flow.support)).json()["status"] == "current"
    assert (
        await client.post(
            "/v1/accreditations/acc_nope/suspend", json={"reason": "because"}, headers=flow.support
        )
    ).status_code == 404
