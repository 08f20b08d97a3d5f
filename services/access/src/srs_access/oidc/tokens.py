"""The tokens a sign-in yields: the platform access token (the same claims the password
grant gives), and the OpenID Connect ID token, both signed with the service's RS256 key
(so the JWKS at ``/.well-known/jwks.json`` verifies them)."""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

from jose import jwt

from srs_access.models import User
from srs_access.oidc.models import AccountProfile
from srs_access.settings import AccessSettings
from srs_common.tokens import MAX_TTL_SECONDS, SigningKey, issue_token


def at_hash(access_token: str) -> str:
    """The ID token's ``at_hash`` for an RS256 access token (OpenID Connect Core 1.0,
    3.1.3.6): the left half of the token's SHA-256, base64url without padding. Written
    here rather than imported from ``authlib.oidc.core``, whose import adds 2.8 MB to
    every access replica for these two lines."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


def access_token_for(
    key: SigningKey,
    settings: AccessSettings,
    user: User,
    profile: AccountProfile | None = None,
) -> tuple[str, int]:
    """An access token for ``user`` and its lifetime in seconds. A self-service account
    (one with a profile) carries ``email_verified``: the services read it."""
    ttl = min(settings.token_ttl_seconds, MAX_TTL_SECONDS)
    verified = email_verified(profile)
    token = issue_token(
        key,
        sub=user.username,
        roles=list(user.roles),
        issuer=settings.platform.jwt_issuer,
        audience=settings.platform.jwt_audience,
        ttl_seconds=ttl,
        researcher_id=user.researcher_id,
        org=user.organisation_id,
        extra=None if verified is None else {"email_verified": verified},
    )
    return token, ttl


def email_verified(profile: AccountProfile | None) -> bool | None:
    """The ``email_verified`` claim: None (no claim) for an account without a
    self-service profile (staff, demo users: no address here to confirm)."""
    if profile is None:
        return None
    return profile.email_verified_at is not None


def profile_claims(user: User, profile: AccountProfile | None, scope: str) -> dict[str, Any]:
    """The person's claims the granted scope releases (ID token and userinfo)."""
    scopes = set(scope.split())
    claims: dict[str, Any] = {"sub": user.username}
    if "profile" in scopes:
        claims["preferred_username"] = user.username
        if profile is not None:
            claims["name"] = profile.name
    if "email" in scopes and profile is not None:
        claims["email"] = profile.email
        # Confirmed by the link e-mailed at sign-up (srs_access.oidc.verification).
        claims["email_verified"] = email_verified(profile)
    claims["roles"] = list(user.roles)
    if user.researcher_id:
        claims["researcher_id"] = user.researcher_id
    if user.organisation_id:
        claims["org"] = user.organisation_id
    return claims


def id_token_for(
    key: SigningKey,
    *,
    issuer: str,
    client_id: str,
    claims: dict[str, Any],
    nonce: str | None,
    access_token: str,
    ttl_seconds: int,
    auth_time: int | None = None,
) -> str:
    now = int(time.time())
    body: dict[str, Any] = {
        **claims,
        "iss": issuer,
        "aud": client_id,
        "iat": now,
        "exp": now + min(ttl_seconds, MAX_TTL_SECONDS),
        "at_hash": at_hash(access_token),
    }
    if auth_time is not None:
        body["auth_time"] = auth_time
    if nonce:
        body["nonce"] = nonce
    token: str = jwt.encode(body, key.signer, algorithm="RS256", headers={"kid": key.kid})
    return token


def read_id_token_hint(keys: list[SigningKey], token: str, issuer: str) -> dict[str, Any] | None:
    """The claims of an ID token this provider issued with any key it publishes (so a hint
    signed before a key rotation still signs the person out; expired ones too, as OpenID
    Connect RP-Initiated Logout allows), or None if it is not one of ours."""
    for key in keys:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.public_jwk,
                algorithms=["RS256"],
                issuer=issuer,
                options={"verify_aud": False, "verify_exp": False, "verify_at_hash": False},
            )
        except Exception:  # noqa: BLE001, S112 - not signed by this key: try the next
            continue
        return claims
    return None
