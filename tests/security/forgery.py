"""Tokens an attacker might present: each must be refused with 401 on every protected
route (the ideas of libs/common/tests/test_auth.py, applied platform-wide)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from jose import jwt

from srs_common.testing import Tokens
from srs_common.tokens import SigningKey, issue_token


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _hs256(claims: dict, secret: bytes, kid: str) -> str:
    """Key confusion: HS256 keyed with the RSA public key (signed by hand; libraries
    refuse to make it)."""
    signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{_b64(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def forged_tokens(tokens: Tokens) -> dict[str, str]:
    """Every token here claims every role, so only authentication can stop it."""
    key = tokens.key
    roles = ["researcher", "panel", "checker", "support", "ops", "partner", "data_owner"]
    now = int(time.time())
    base = {
        "sub": "res-owner",
        "roles": roles,
        "researcher_id": "res-owner",
        "org": "org-a",
        "iss": tokens.issuer,
        "aud": tokens.audience,
        "iat": now,
        "exp": now + 600,
    }
    good = tokens.token(*roles, sub="res-intruder")
    header, payload, signature = good.split(".")
    tampered = _b64(
        {
            **json.loads(base64.urlsafe_b64decode(payload + "==")),
            "sub": "res-owner",
            "researcher_id": "res-owner",
        }
    )
    other_key = SigningKey.generate()

    def rs256(claims: dict, signer: SigningKey = key, kid: str | None = None) -> str:
        return jwt.encode(
            claims, signer.private_pem, algorithm="RS256", headers={"kid": kid or signer.kid}
        )

    return {
        "expired": issue_token(
            key,
            sub="res-owner",
            roles=roles,
            issuer=tokens.issuer,
            audience=tokens.audience,
            now=time.time() - 3600,
        ),
        "not yet valid": rs256({**base, "nbf": now + 3600}),
        "wrong issuer": rs256({**base, "iss": "https://evil.example"}),
        "wrong audience": rs256({**base, "aud": "another-api"}),
        "unknown kid": issue_token(
            other_key, sub="res-owner", roles=roles, issuer=tokens.issuer, audience=tokens.audience
        ),
        "known kid, other key": rs256(base, other_key, kid=key.kid),
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': key.kid})}.{_b64(base)}.",
        "HS256 with the public key": _hs256(base, key.public_pem.encode(), key.kid),
        "tampered payload": f"{header}.{tampered}.{signature}",
        "no exp": rs256({k: v for k, v in base.items() if k != "exp"}),
        "no sub": rs256({k: v for k, v in base.items() if k != "sub"}),
        "garbage": "not.a.token",
    }
