"""A researcher profile is registered only from an account whose e-mail address is
confirmed: a token saying ``email_verified: false`` (a self-service sign-up that has not
followed its link yet) is refused with a message saying what to do, and nothing is
written or published; a confirmed one, or a token without the claim, registers."""

from __future__ import annotations

PROFILE = {
    "name": "Nia Researcher",
    "email": "nia@ntu.example",
    "organisation_id": "org-ntu",
    "qualifications": {"degree": "masters", "degree_quantitative": True},
}


def researcher(tokens, rid: str, **extra) -> dict[str, str]:
    token = tokens.token("researcher", researcher_id=rid, org="org-ntu", extra=extra or None)
    return {"Authorization": f"Bearer {token}"}


async def test_an_unconfirmed_address_cannot_register_a_profile(client, tokens, events):
    refused = await client.post(
        "/v1/researchers",
        json=PROFILE,
        headers=researcher(tokens, "res-nia", email_verified=False),
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert "confirm your e-mail address" in refused.json()["detail"]
    assert await events("srs.researcher.registered.v1") == []
    # Once confirmed (the next token says so), the same person registers.
    confirmed = await client.post(
        "/v1/researchers", json=PROFILE, headers=researcher(tokens, "res-nia", email_verified=True)
    )
    assert confirmed.status_code == 201, confirmed.text
    assert confirmed.json()["id"] == "res-nia"
    assert len(await events("srs.researcher.registered.v1")) == 1


async def test_a_token_without_the_claim_registers(client, tokens):
    # Accounts the provider never asked to confirm (staff-made, the demo users).
    response = await client.post(
        "/v1/researchers", json=PROFILE, headers=researcher(tokens, "res-old")
    )
    assert response.status_code == 201, response.text
