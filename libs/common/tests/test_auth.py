"""Every forged or unusable token is a 401 problem+json on a real service route."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from jose import jwt

from srs_common.testing import Tokens
from srs_common.tokens import SigningKey, issue_token


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _hs256(claims: dict, secret: bytes, kid: str) -> str:
    """The classic key-confusion forgery, signed by hand (libraries refuse to make it)."""
    signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{_b64(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def forged_tokens(tokens: Tokens) -> dict[str, str]:
    key = tokens.key
    now = int(time.time())
    base = {
        "sub": "res-alice",
        "roles": ["support"],
        "researcher_id": "res-alice",
        "iss": tokens.issuer,
        "aud": tokens.audience,
        "iat": now,
        "exp": now + 600,
    }
    good = tokens.token("support", sub="res-alice")
    header, payload, signature = good.split(".")
    tampered_payload = _b64(
        {
            **json.loads(base64.urlsafe_b64decode(payload + "==")),
            "roles": ["support", "panel"],
            "sub": "someone-else",
        }
    )
    other_key = SigningKey.generate()
    return {
        "expired": issue_token(
            key,
            sub="res-alice",
            roles=["support"],
            issuer=tokens.issuer,
            audience=tokens.audience,
            now=time.time() - 3600,
        ),
        "not yet valid": jwt.encode(
            {**base, "nbf": now + 3600, "iat": now},
            key.private_pem,
            algorithm="RS256",
            headers={"kid": key.kid},
        ),
        "wrong audience": issue_token(
            key, sub="res-alice", roles=["support"], issuer=tokens.issuer, audience="another-api"
        ),
        "wrong issuer": issue_token(
            key,
            sub="res-alice",
            roles=["support"],
            issuer="https://evil.example",
            audience=tokens.audience,
        ),
        "unknown kid": issue_token(
            other_key,
            sub="res-alice",
            roles=["support"],
            issuer=tokens.issuer,
            audience=tokens.audience,
        ),
        "known kid, other key": jwt.encode(
            base, other_key.private_pem, algorithm="RS256", headers={"kid": key.kid}
        ),
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': key.kid})}.{_b64(base)}.",
        "HS256 with the public key": _hs256(base, key.public_pem.encode(), key.kid),
        "tampered payload": f"{header}.{tampered_payload}.{signature}",
        "no exp": jwt.encode(
            {k: v for k, v in base.items() if k != "exp"},
            key.private_pem,
            algorithm="RS256",
            headers={"kid": key.kid},
        ),
        "no sub": jwt.encode(
            {k: v for k, v in base.items() if k != "sub"},
            key.private_pem,
            algorithm="RS256",
            headers={"kid": key.kid},
        ),
        "garbage": "not.a.token",
    }


@pytest.fixture
async def client(service_client):
    async with service_client("projects") as c:
        yield c


async def test_missing_token_is_401_with_www_authenticate(client):
    response = await client.get("/v1/projects/prj_x")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"


async def test_every_forged_token_is_401(client, tokens):
    # Sanity: the genuine token passes authentication (404: no such project).
    genuine = await client.get("/v1/projects/prj_x", headers=tokens.headers("support"))
    assert genuine.status_code == 404
    failures = {}
    for name, token in forged_tokens(tokens).items():
        response = await client.get(
            "/v1/projects/prj_x", headers={"Authorization": f"Bearer {token}"}
        )
        if response.status_code != 401 or response.json()["status"] != 401:
            failures[name] = (response.status_code, response.text[:200])
    assert not failures, failures


async def test_wrong_role_is_403_not_401(client, tokens):
    response = await client.post(
        "/v1/projects/prj_x/approve",
        json={"reason": "approved!"},
        headers=tokens.headers("researcher"),
    )
    assert response.status_code == 403


async def test_remote_jwks_is_cached_and_refetched_when_keys_rotate(tokens):
    """A real HTTP JWKS endpoint: the verifier caches keys and picks up a new ``kid``."""
    import http.server
    import threading

    from srs_common.auth import RemoteJwks, TokenVerifier
    from srs_common.errors import Unauthorized
    from srs_common.tokens import jwks

    old, new = tokens.key, SigningKey.generate()
    served = {"doc": jwks(old), "hits": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            served["hits"] += 1
            body = json.dumps(served["doc"]).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
        verifier = TokenVerifier(
            RemoteJwks(url, min_refetch_seconds=0), issuer=tokens.issuer, audience=tokens.audience
        )
        old_token = issue_token(
            old, sub="a", roles=["ops"], issuer=tokens.issuer, audience=tokens.audience
        )
        assert (await verifier.verify(old_token)).sub == "a"
        assert (
            await verifier.verify(
                issue_token(
                    old, sub="b", roles=["ops"], issuer=tokens.issuer, audience=tokens.audience
                )
            )
        ).sub == "b"
        assert served["hits"] == 1, "keys are cached between tokens"

        served["doc"] = jwks(old, new)  # rotation: the issuer publishes the new key
        new_token = issue_token(
            new, sub="c", roles=["ops"], issuer=tokens.issuer, audience=tokens.audience
        )
        assert (await verifier.verify(new_token)).sub == "c"
        assert served["hits"] == 2

        stranger = issue_token(
            SigningKey.generate(),
            sub="d",
            roles=["ops"],
            issuer=tokens.issuer,
            audience=tokens.audience,
        )
        with pytest.raises(Unauthorized):
            await verifier.verify(stranger)
    finally:
        server.shutdown()
