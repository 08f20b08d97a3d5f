"""Authorization codes and refresh tokens: issued, redeemed once, rotated, revoked.

Only hashes are stored. Redeeming is a conditional UPDATE (``used_at IS NULL``), so two
racing requests with one code cannot both win; a code presented a second time revokes
every refresh token issued from it (RFC 6749 section 4.1.2). A rotated-out refresh token
presented again revokes its whole family (the OAuth 2.0 Security BCP's reuse detection).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from srs_access.oidc.models import AuthorizationCode, RefreshToken
from srs_common.db import utcnow

# Authlib is imported by the functions that redeem a code or a refresh token: the app
# imports this module (oidc.verification hashes its links with token_hash), and Authlib
# adds ~0.7 MB to every access process that never redeems a grant.


def token_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class Grant:
    """What a redeemed code or refresh token grants: who, to which client, what scope."""

    username: str
    client_id: str
    scope: str
    nonce: str | None
    family: str
    # When the person authenticated: the code is issued right after the sign-in.
    auth_time: int | None = None


async def issue_code(
    session: AsyncSession,
    *,
    client_id: str,
    username: str,
    redirect_uri: str,
    scope: str,
    nonce: str | None,
    code_challenge: str,
    ttl_seconds: int,
) -> str:
    code = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        AuthorizationCode(
            code_hash=token_hash(code),
            client_id=client_id,
            username=username,
            redirect_uri=redirect_uri,
            scope=scope,
            nonce=nonce,
            code_challenge=code_challenge,
            created_at=now,
            expires_at=now + dt.timedelta(seconds=ttl_seconds),
        )
    )
    await session.flush()
    return code


async def redeem_code(
    session: AsyncSession, *, code: str, client_id: str, redirect_uri: str, code_verifier: str
) -> Grant:
    """The grant of a code, used up. Raises :class:`InvalidGrantError` naming why not."""
    from authlib.oauth2.rfc6749.errors import InvalidGrantError
    from authlib.oauth2.rfc7636.challenge import compare_s256_code_challenge

    code_hash = token_hash(code)
    stored = await session.get(AuthorizationCode, code_hash)
    if stored is None or stored.client_id != client_id:
        raise InvalidGrantError("unknown authorization code")
    now = utcnow()
    used = await session.execute(
        update(AuthorizationCode)
        .where(AuthorizationCode.code_hash == code_hash, AuthorizationCode.used_at.is_(None))
        .values(used_at=now)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        await revoke_family(session, code_hash)
        raise InvalidGrantError(
            "the authorization code has already been used; the tokens issued from it are revoked"
        )
    if stored.expires_at <= now:
        raise InvalidGrantError("the authorization code has expired")
    if stored.redirect_uri != redirect_uri:
        raise InvalidGrantError("redirect_uri differs from the one the code was issued for")
    if not code_verifier or not compare_s256_code_challenge(code_verifier, stored.code_challenge):
        raise InvalidGrantError("code_verifier does not match the code_challenge (PKCE)")
    return Grant(
        stored.username,
        stored.client_id,
        stored.scope,
        stored.nonce,
        code_hash,
        int(stored.created_at.timestamp()),
    )


async def issue_refresh_token(session: AsyncSession, grant: Grant, *, ttl_seconds: int) -> str:
    value = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        RefreshToken(
            token_hash=token_hash(value),
            family=grant.family,
            client_id=grant.client_id,
            username=grant.username,
            scope=grant.scope,
            created_at=now,
            expires_at=now + dt.timedelta(seconds=ttl_seconds),
        )
    )
    await session.flush()
    return value


async def rotate_refresh_token(session: AsyncSession, *, value: str, client_id: str) -> Grant:
    """The grant of a refresh token, which is used up (rotated)."""
    from authlib.oauth2.rfc6749.errors import InvalidGrantError

    hashed = token_hash(value)
    stored = await session.get(RefreshToken, hashed)
    if stored is None or stored.client_id != client_id:
        raise InvalidGrantError("unknown refresh token")
    if stored.revoked_at is not None:
        raise InvalidGrantError("the refresh token has been revoked")
    now = utcnow()
    rotated = await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.token_hash == hashed,
            RefreshToken.rotated_at.is_(None),
            RefreshToken.revoked_at.is_(None),
        )
        .values(rotated_at=now)
    )
    if rotated.rowcount != 1:  # type: ignore[attr-defined]
        await revoke_family(session, stored.family)
        raise InvalidGrantError(
            "the refresh token has already been used; the sign-in it belongs to is revoked"
        )
    if stored.expires_at <= now:
        raise InvalidGrantError("the refresh token has expired")
    return Grant(stored.username, stored.client_id, stored.scope, None, stored.family)


async def revoke_family(session: AsyncSession, family: str) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def revoke_user_sessions(session: AsyncSession, *, username: str, client_id: str) -> None:
    """Sign-out: every refresh token of this person at this client stops working."""
    await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.username == username,
            RefreshToken.client_id == client_id,
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
