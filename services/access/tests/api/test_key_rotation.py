"""Rotating the token signing key (docs/guides/keys.md): the next key is published before
it signs, tokens of the previous key verify until they expire, an unknown ``kid`` never
does; and a verifier elsewhere, reading the published JWKS, agrees. Partner client
secrets outlive a rotation of the pepper they are hashed with."""

from __future__ import annotations

import secrets

import httpx
import pytest
from jose import jwt

from srs_access.seed import seed_catalogue, seed_demo_users
from srs_common.auth import RemoteJwks, TokenVerifier
from srs_common.errors import Unauthorized
from srs_common.testing import AUDIENCE, ISSUER
from srs_common.tokens import SigningKey, issue_token

AUDIT = "/v1/audit/access/verification"


async def token_from(client: httpx.AsyncClient) -> str:
    async with client.runtime.db.transaction() as session:
        await seed_demo_users(session)
    granted = await client.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": "support", "password": "support-demo"},
    )
    assert granted.status_code == 200, granted.text
    return granted.json()["access_token"]


def kid_of(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def kids(client: httpx.AsyncClient) -> list[str]:
    return [k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]]


def remote_verifier(client: httpx.AsyncClient) -> TokenVerifier:
    """How every other service verifies: the JWKS fetched over HTTP from the issuer."""
    jwks = RemoteJwks(
        "http://access/.well-known/jwks.json",
        client=httpx.AsyncClient(transport=httpx.ASGITransport(client.app)),
    )
    return TokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE)


@pytest.fixture(scope="module")
def old_key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture(scope="module")
def new_key() -> SigningKey:
    return SigningKey.generate()


async def test_the_next_key_is_published_before_it_signs(service_client, old_key, new_key):
    async with service_client(
        "access", signing_key_pem=old_key.private_pem, signing_key_next_pem=new_key.private_pem
    ) as client:
        assert await kids(client) == [old_key.kid, new_key.kid]
        token = await token_from(client)
        assert kid_of(token) == old_key.kid
        # A token of the next key (a replica that switched first) verifies already.
        early = issue_token(
            new_key, sub="support", roles=["support"], issuer=ISSUER, audience=AUDIENCE
        )
        assert (await client.get(AUDIT, headers=bearer(early))).status_code == 200


async def test_tokens_of_the_previous_key_verify_after_rotation_an_unknown_kid_never(
    service_client, old_key, new_key
):
    async with service_client("access", signing_key_pem=old_key.private_pem) as before:
        old_token = await token_from(before)
        assert await kids(before) == [old_key.kid]

    async with service_client(
        "access", signing_key_pem=new_key.private_pem, signing_key_previous_pem=old_key.private_pem
    ) as after:
        assert await kids(after) == [new_key.kid, old_key.kid]
        new_token = await token_from(after)
        assert kid_of(new_token) == new_key.kid
        for token in (old_token, new_token):
            assert (await after.get(AUDIT, headers=bearer(token))).status_code == 200
            assert (await remote_verifier(after).verify(token)).sub == "support"

        stranger = SigningKey.generate()
        forged = issue_token(
            stranger, sub="support", roles=["support"], issuer=ISSUER, audience=AUDIENCE
        )
        refused = await after.get(AUDIT, headers=bearer(forged))
        assert refused.status_code == 401
        assert refused.json()["detail"] == "token signed by an unknown key"
        with pytest.raises(Unauthorized, match="unknown key"):
            await remote_verifier(after).verify(forged)

    # Once the previous key is retired (its tokens have expired), it verifies nothing.
    async with service_client("access", signing_key_pem=new_key.private_pem) as retired:
        assert await kids(retired) == [new_key.kid]
        refused = await retired.get(AUDIT, headers=bearer(old_token))
        assert refused.status_code == 401
        assert refused.json()["detail"] == "token signed by an unknown key"
        assert (await retired.get(AUDIT, headers=bearer(new_token))).status_code == 200


async def test_client_secrets_survive_a_pepper_rotation(service_client, tokens):
    """Secrets hashed under the previous pepper authenticate during the rotation and are
    re-hashed then; a secret unused until the previous pepper is dropped stops working."""
    old_pepper, new_pepper = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    support = tokens.headers("support")
    async with service_client("access", client_secret_pepper=old_pepper) as before:
        async with before.runtime.db.transaction() as session:
            await seed_catalogue(session)
        used, unused = [
            (
                await before.post(
                    "/v1/clients",
                    headers=support,
                    json={
                        "organisation_id": "org-ntu",
                        "name": name,
                        "scopes": ["researchers:read"],
                    },
                )
            ).json()
            for name in ("used during the overlap", "unused")
        ]
        assert (await grant(before, used)).status_code == 200

    async with service_client(
        "access",
        truncate=False,
        client_secret_pepper=new_pepper,
        client_secret_pepper_previous=old_pepper,
    ) as during:
        assert (await grant(during, used)).status_code == 200
        assert (await grant(during, {**used, "client_secret": "srs_cs_wrong"})).status_code == 401

    async with service_client("access", truncate=False, client_secret_pepper=new_pepper) as after:
        assert (await grant(after, used)).status_code == 200
        refused = await grant(after, unused)
        assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"


async def grant(client: httpx.AsyncClient, registered: dict) -> httpx.Response:
    return await client.post(
        "/v1/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": registered["id"],
            "client_secret": registered["client_secret"],
        },
    )
