"""The embedded identity provider: token endpoint and JWKS (production: external OIDC)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import unquote_plus

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import JSONResponse
from limits import RateLimitItem, parse
from sqlalchemy.ext.asyncio import AsyncSession

from srs_access import clients
from srs_access.models import User
from srs_access.passwords import check_password
from srs_access.schemas.common import TokenResponse
from srs_access.settings import AccessSettings
from srs_common.context import app_settings
from srs_common.db import SessionDep
from srs_common.errors import AppError, problem
from srs_common.ratelimit import FailureThrottle
from srs_common.tokens import MAX_TTL_SECONDS, SigningKey, issue_token, jwks

router = APIRouter(tags=["identity"])


class InvalidGrant(AppError):
    status = 400
    title = "invalid_grant"


def signing_key(settings: AccessSettings) -> SigningKey:
    if settings.signing_key_pem and settings.signing_key_pem.get_secret_value().strip():
        return SigningKey.from_pem(settings.signing_key_pem.get_secret_value())
    return SigningKey.load_or_create(settings.signing_key_path)


def published_keys(settings: AccessSettings) -> list[SigningKey]:
    """The keys whose tokens verify: the signing key, then during a rotation the next
    and the previous one (docs/guides/keys.md)."""
    keys = [signing_key(settings)]
    for pem in (settings.signing_key_next_pem, settings.signing_key_previous_pem):
        if pem is not None and pem.get_secret_value().strip():
            keys.append(SigningKey.from_pem(pem.get_secret_value()))
    return keys


@router.get("/.well-known/jwks.json", summary="Public keys that verify platform tokens")
async def jwks_document(request: Request) -> dict[str, Any]:
    """The JSON Web Key Set every service verifies tokens with: the current signing key and, during
    a rotation, the next and previous ones. Public."""
    return jwks(*request.app.state.published_keys)


async def _password_grant(session: AsyncSession, username: str, password: str) -> User | None:
    """The user if the password is theirs. An unknown user costs the same hash as a known
    one; a hash of an older scheme is replaced by the current one."""
    user = await session.get(User, username)
    ok, new_hash = await check_password(password, user.password_hash if user else None)
    if user is None or not ok:
        return None
    if new_hash is not None:
        user.password_hash = new_hash
        await session.flush()
    return user


@dataclass(frozen=True)
class GuessingGuard:
    """Failed token requests counted per account and address (settings
    ``token_failures_*``): an account past its limit from an address, an account past
    its (much higher) overall ceiling, or an address past its limit over all accounts,
    is refused before any password or secret is checked."""

    throttle: FailureThrottle
    per_account_address: RateLimitItem
    per_account: RateLimitItem
    per_address: RateLimitItem

    @classmethod
    def of(cls, request: Request) -> GuessingGuard:
        guard = getattr(request.app.state, "token_guard", None)
        if guard is None:
            settings: AccessSettings = request.app.state.settings
            guard = request.app.state.token_guard = cls(
                FailureThrottle(settings.platform, "token"),
                parse(settings.token_failures_per_account_address),
                parse(settings.token_failures_per_account),
                parse(settings.token_failures_per_address),
            )
        return guard

    def _keys(
        self, kind: str, account: str, address: str
    ) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
        return [
            (self.per_account_address, (kind, account, address)),
            (self.per_account, (kind, account)),
            (self.per_address, ("address", address)),
        ]

    async def refusal(self, request: Request, kind: str, account: str) -> JSONResponse | None:
        """A 429 if this account or address has failed too often, else None."""
        wait = await self.throttle.retry_after(self._keys(kind, account, _address(request)))
        if wait is None:
            return None
        return problem(
            429,
            "Too many failed attempts",
            f"too many failed sign-in attempts for this account or from this "
            f"address; retry after {wait}s",
            instance=request.url.path,
            headers={"Retry-After": str(wait), "Cache-Control": "no-store"},
        )

    async def failed(self, request: Request, kind: str, account: str) -> None:
        await self.throttle.failed(self._keys(kind, account, _address(request)))


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _oauth_error(status: int, error: str, description: str, *, basic: bool = False) -> JSONResponse:
    """An RFC 6749 section 5.2 error response."""
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="srs"' if basic else "Basic"
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=headers
    )


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    """client_id and client_secret from HTTP Basic (form-urlencoded, RFC 6749 2.3.1)."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return None
    return unquote_plus(client_id), unquote_plus(secret)


async def _client_credentials_grant(
    request: Request,
    session: AsyncSession,
    settings: AccessSettings,
    client_id: str | None,
    client_secret: str | None,
    scope: str | None,
) -> TokenResponse | JSONResponse:
    basic = _basic_credentials(request)
    if basic is not None and (client_id or client_secret):
        return _oauth_error(
            400, "invalid_request", "authenticate with HTTP Basic or the form body, not both"
        )
    if basic is not None:
        client_id, client_secret = basic
    if not client_id or not client_secret:
        return _oauth_error(
            401, "invalid_client", "client authentication is required", basic=basic is not None
        )
    guard = GuessingGuard.of(request)
    refusal = await guard.refusal(request, "client", client_id)
    if refusal is not None:
        return refusal
    client = await clients.authenticate(session, settings, client_id, client_secret)
    if client is None:
        await guard.failed(request, "client", client_id)
        return _oauth_error(
            401,
            "invalid_client",
            "unknown, revoked or expired client credentials",
            basic=basic is not None,
        )
    granted = set(client.scopes)
    if scope is not None:
        requested = set(scope.split())
        if not requested or not requested <= granted:
            return _oauth_error(
                400,
                "invalid_scope",
                "the requested scope exceeds the client's scopes: "
                + " ".join(sorted(requested - granted)),
            )
        granted = requested
    ttl = min(settings.token_ttl_seconds, MAX_TTL_SECONDS)
    granted_scope = " ".join(sorted(granted))
    access_token = issue_token(
        request.app.state.signing_key,
        sub=client.id,
        roles=["partner"],
        issuer=settings.platform.jwt_issuer,
        audience=settings.platform.jwt_audience,
        ttl_seconds=ttl,
        org=client.organisation_id,
        scope=granted_scope,
    )
    return TokenResponse(access_token=access_token, expires_in=ttl, scope=granted_scope)


@router.post(
    "/v1/auth/token",
    response_model=TokenResponse,
    summary="Get an access token: OAuth2 client credentials (partner API clients, "
    "RFC 6749 4.4) or password (embedded default's people)",
    responses={
        400: {
            "description": "unknown user or wrong password (problem+json); for client "
            "credentials an RFC 6749 error: invalid_request, invalid_scope, "
            "unsupported_grant_type",
            "content": {
                "application/json": {
                    "example": {
                        "error": "invalid_scope",
                        "error_description": "the requested scope exceeds the client's scopes: "
                        "outputs:read",
                    }
                }
            },
        },
        401: {
            "description": "invalid_client: unknown, revoked or expired client credentials",
            "content": {
                "application/json": {
                    "example": {
                        "error": "invalid_client",
                        "error_description": "unknown, revoked or expired client credentials",
                    }
                }
            },
        },
        429: {
            "description": "too many failed attempts for this account (username or client "
            "id) from this address, for this account overall, or from this "
            "address; `Retry-After` says when to try again (problem+json)",
            "content": {
                "application/problem+json": {
                    "example": {
                        "type": "about:blank",
                        "title": "Too many failed attempts",
                        "status": 429,
                        "detail": "too many failed sign-in attempts for this account or from "
                        "this address; retry after 840s",
                    }
                }
            },
        },
    },
)
async def token(
    request: Request,
    response: Response,
    session: SessionDep,
    settings: Annotated[AccessSettings, Depends(app_settings)],
    grant_type: Annotated[str, Form(max_length=50, examples=["client_credentials", "password"])],
    username: Annotated[str | None, Form(max_length=100, examples=["alice"])] = None,
    password: Annotated[str | None, Form(max_length=200, examples=["alice-demo"])] = None,
    client_id: Annotated[str | None, Form(max_length=100)] = None,
    client_secret: Annotated[str | None, Form(max_length=200)] = None,
    scope: Annotated[
        str | None, Form(max_length=500, examples=["researchers:read applications:write"])
    ] = None,
) -> TokenResponse | JSONResponse:
    """OAuth 2.0 token endpoint (form-encoded). Partner API clients use the client credentials
    grant, within the scopes they were registered with; errors follow RFC 6749 (`error`,
    `error_description`), not problem+json."""
    # RFC 6749 5.1: responses carrying tokens must not be cached.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    if grant_type == "client_credentials":
        return await _client_credentials_grant(
            request, session, settings, client_id, client_secret, scope
        )
    if grant_type != "password":
        return _oauth_error(
            400, "unsupported_grant_type", "grant_type must be client_credentials or password"
        )
    if username is None or password is None:
        raise InvalidGrant("username and password are required for the password grant")
    guard = GuessingGuard.of(request)
    refusal = await guard.refusal(request, "user", username)
    if refusal is not None:
        return refusal
    user = await _password_grant(session, username, password)
    if user is None:
        await guard.failed(request, "user", username)
        raise InvalidGrant("unknown user or wrong password")
    # The same token a sign-in gives (a self-service account's email_verified included).
    from srs_access.oidc.models import AccountProfile
    from srs_access.oidc.tokens import access_token_for

    profile = await session.get(AccountProfile, user.username)
    access_token, ttl = access_token_for(request.app.state.signing_key, settings, user, profile)
    return TokenResponse(access_token=access_token, expires_in=ttl)
