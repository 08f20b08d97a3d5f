"""Partner API clients and the OAuth2 client-credentials grant, against the real access
app; the tokens it issues are then used on the real accreditation app."""

from __future__ import annotations

import base64
import datetime as dt

import httpx
from jose import jwt

ORG = {
    "id": "org-ntu",
    "name": "Nottingham Trent University",
    "contact_email": "research.office@ntu.example",
    "aoc_certified_until": "2028-03-31",
    "legacy_remote_access": False,
}
SCOPES = ["researchers:read", "applications:read", "applications:write"]


async def _register_client(
    access: httpx.AsyncClient, support: dict[str, str], scopes: list[str] = SCOPES
) -> dict:
    created = await access.post("/v1/organisations", json=ORG, headers=support)
    assert created.status_code == 201, created.text
    response = await access.post(
        "/v1/clients",
        headers=support,
        json={"organisation_id": ORG["id"], "name": "NTU integration", "scopes": scopes},
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _token(
    access: httpx.AsyncClient, client_id: str, secret: str, **form: str
) -> httpx.Response:
    return await access.post(
        "/v1/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            **form,
        },
    )


async def test_client_credentials_flow_end_to_end(service_client, tokens) -> None:
    support = tokens.headers("support", sub="support-1")
    async with service_client("access") as access, service_client("accreditation") as accreditation:
        client = await _register_client(access, support)
        assert client["client_secret"].startswith("srs_cs_")
        # The secret is shown once: never again on reads.
        listed = (await access.get("/v1/clients", headers=support)).json()
        assert "client_secret" not in listed[0]
        assert (await access.get(f"/v1/clients/{client['id']}", headers=support)).json()[
            "organisation_id"
        ] == "org-ntu"

        response = await _token(access, client["id"], client["client_secret"])
        assert response.status_code == 200, response.text
        body = response.json()
        assert response.headers["Cache-Control"] == "no-store"
        assert body["token_type"] == "Bearer" and 0 < body["expires_in"] <= 900
        claims = jwt.get_unverified_claims(body["access_token"])
        assert claims["sub"] == client["id"] and claims["roles"] == ["partner"]
        assert claims["org"] == "org-ntu" and set(claims["scope"].split()) == set(SCOPES)
        assert claims["exp"] - claims["iat"] <= 900
        assert jwt.get_unverified_header(body["access_token"])["alg"] == "RS256"

        # HTTP Basic authentication works too, and `scope` narrows the grant.
        basic = base64.b64encode(f"{client['id']}:{client['client_secret']}".encode()).decode()
        narrowed = await access.post(
            "/v1/auth/token",
            headers={"Authorization": f"Basic {basic}"},
            data={"grant_type": "client_credentials", "scope": "researchers:read"},
        )
        assert narrowed.status_code == 200, narrowed.text
        assert narrowed.json()["scope"] == "researchers:read"

        # The token works on another service, within its scopes only.
        partner = {"Authorization": f"Bearer {narrowed.json()['access_token']}"}
        assert (await accreditation.get("/v1/researchers", headers=partner)).status_code == 200
        refused = await accreditation.get("/v1/applications", headers=partner)
        assert refused.status_code == 403 and "applications:read" in refused.json()["detail"]


async def test_token_endpoint_errors_follow_rfc_6749(service_client, tokens) -> None:
    support = tokens.headers("support", sub="support-1")
    async with service_client("access") as access:
        client = await _register_client(access, support, ["researchers:read"])
        wrong = await _token(access, client["id"], "srs_cs_wrong")
        assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
        assert "WWW-Authenticate" in wrong.headers
        unknown = await _token(access, "cli_nobody", client["client_secret"])
        assert unknown.status_code == 401 and unknown.json()["error"] == "invalid_client"
        missing = await access.post("/v1/auth/token", data={"grant_type": "client_credentials"})
        assert missing.status_code == 401 and missing.json()["error"] == "invalid_client"
        too_wide = await _token(
            access, client["id"], client["client_secret"], scope="researchers:read outputs:read"
        )
        assert too_wide.status_code == 400 and too_wide.json()["error"] == "invalid_scope"
        grant = await access.post("/v1/auth/token", data={"grant_type": "implicit"})
        assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
        # Only support registers clients, and only for a registered organisation.
        other = await access.post(
            "/v1/clients",
            headers=tokens.headers("partner", org="org-ntu"),
            json={"organisation_id": "org-ntu", "name": "x", "scopes": ["researchers:read"]},
        )
        assert other.status_code == 403
        nowhere = await access.post(
            "/v1/clients",
            headers=support,
            json={"organisation_id": "org-none", "name": "x", "scopes": ["researchers:read"]},
        )
        assert nowhere.status_code == 422 and nowhere.json()["rule"] == "organisation_registered"
        bad_scope = await access.post(
            "/v1/clients",
            headers=support,
            json={"organisation_id": "org-ntu", "name": "x", "scopes": ["everything"]},
        )
        assert bad_scope.status_code == 422


async def test_rotation_keeps_the_old_secret_until_the_overlap_ends_and_revoke_stops_all(
    service_client, tokens
) -> None:
    support = tokens.headers("support", sub="support-1")
    async with service_client("access") as access:
        client = await _register_client(access, support)
        first = client["client_secret"]
        until = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
        rotated = await access.post(
            f"/v1/clients/{client['id']}/rotate",
            headers=support,
            json={"old_secret_expires_at": until},
        )
        assert rotated.status_code == 200, rotated.text
        second = rotated.json()["client_secret"]
        assert second != first
        # During the overlap both secrets work.
        assert (await _token(access, client["id"], first)).status_code == 200
        assert (await _token(access, client["id"], second)).status_code == 200

        # An immediate switch ends the overlap: only the newest secret works.
        now = dt.datetime.now(dt.UTC).isoformat()
        third = (
            await access.post(
                f"/v1/clients/{client['id']}/rotate",
                headers=support,
                json={"old_secret_expires_at": now},
            )
        ).json()["client_secret"]
        assert (await _token(access, client["id"], first)).status_code == 401
        assert (await _token(access, client["id"], second)).status_code == 401
        assert (await _token(access, client["id"], third)).status_code == 200

        too_long = await access.post(
            f"/v1/clients/{client['id']}/rotate",
            headers=support,
            json={"old_secret_expires_at": "2099-01-01T00:00:00Z"},
        )
        assert too_long.status_code == 422 and too_long.json()["rule"] == "overlap_limit"
        past = await access.post(
            f"/v1/clients/{client['id']}/rotate",
            headers=support,
            json={"old_secret_expires_at": "2020-01-01T00:00:00Z"},
        )
        assert past.status_code == 422 and past.json()["rule"] == "overlap_in_future"
        naive = await access.post(
            f"/v1/clients/{client['id']}/rotate",
            headers=support,
            json={"old_secret_expires_at": "2030-01-01T00:00:00"},
        )
        assert naive.status_code == 422

        revoked = await access.post(f"/v1/clients/{client['id']}/revoke", headers=support)
        assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
        after = await _token(access, client["id"], third)
        assert after.status_code == 401 and after.json()["error"] == "invalid_client"
        assert (
            await access.post("/v1/clients/cli_nobody/revoke", headers=support)
        ).status_code == 404

        # Each change is in the audit log, and no secret ever is.
        audit = await access.get("/v1/audit/access?limit=200", headers=support)
        entries = [e for e in audit.json()["items"] if e["detail"].get("client_id") == client["id"]]
        assert [e["action"] for e in entries] == [
            "api_client_registered",
            "api_client_secret_rotated",
            "api_client_secret_rotated",
            "api_client_revoked",
        ]
        assert all(e["actor"] == "support-1" for e in entries)
        assert not any(s in audit.text for s in (first, second, third))
