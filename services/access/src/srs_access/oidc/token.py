"""The token endpoint: an authorization code (with its PKCE verifier) or a refresh
token (rotated on every use) for tokens; RFC 6749 JSON errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from srs_access.identity import GuessingGuard, _basic_credentials
from srs_access.models import User
from srs_access.oidc.clients import RegisteredClient, registered_clients
from srs_access.oidc.models import AccountProfile
from srs_access.oidc.pages import NO_STORE, issuer_of, settings_of
from srs_common.db import SessionDep

if TYPE_CHECKING:
    from authlib.oauth2.rfc6749.errors import OAuth2Error

    from srs_access.oidc import grants

router = APIRouter(tags=["openid connect"])


def _oauth_error(error: OAuth2Error) -> JSONResponse:
    from authlib.oauth2.rfc6749.errors import InvalidClientError

    status = error.status_code or 400
    headers = dict(NO_STORE)
    if isinstance(error, InvalidClientError):
        status = 401
        headers["WWW-Authenticate"] = 'Basic realm="srs"'
    return JSONResponse(
        {"error": error.error, "error_description": error.description},
        status_code=status,
        headers=headers,
    )


def _authenticate_client(
    request: Request, client_id: str | None, client_secret: str | None
) -> RegisteredClient:
    from authlib.oauth2.rfc6749.errors import InvalidClientError

    basic = _basic_credentials(request)
    if basic is not None:
        client_id, client_secret = basic
    client = registered_clients(settings_of(request)).get(client_id or "")
    if client is None or not client_secret or not client.secret_matches(client_secret):
        raise InvalidClientError("unknown client or wrong client secret")
    return client


async def _token_response(
    request: Request, session: AsyncSession, grant: grants.Grant, *, with_id_token: bool
) -> JSONResponse:
    from authlib.oauth2.rfc6749.errors import InvalidGrantError

    from srs_access.oidc import grants
    from srs_access.oidc.tokens import access_token_for, id_token_for, profile_claims

    settings = settings_of(request)
    user = await session.get(User, grant.username)
    if user is None:
        raise InvalidGrantError("the account no longer exists")
    key = request.app.state.signing_key
    profile = await session.get(AccountProfile, user.username)
    access_token, ttl = access_token_for(key, settings, user, profile)
    refresh_token = await grants.issue_refresh_token(
        session, grant, ttl_seconds=settings.oidc_refresh_ttl_seconds
    )
    body: dict[str, Any] = {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ttl,
        "refresh_token": refresh_token,
        "scope": grant.scope,
    }
    if with_id_token:
        body["id_token"] = id_token_for(
            key,
            issuer=issuer_of(request),
            client_id=grant.client_id,
            claims=profile_claims(user, profile, grant.scope),
            nonce=grant.nonce,
            access_token=access_token,
            ttl_seconds=ttl,
            auth_time=grant.auth_time,
        )
    return JSONResponse(body, headers=NO_STORE)


@router.post(
    "/oidc/token",
    include_in_schema=False,
    summary="Token endpoint: authorization_code (with PKCE code_verifier) or "
    "refresh_token (rotated on every use)",
    responses={
        400: {
            "description": "an RFC 6749 error: invalid_grant (unknown, "
            "used or expired code, redirect_uri or PKCE "
            "mismatch, used refresh token), invalid_request, "
            "unsupported_grant_type"
        },
        401: {"description": "invalid_client"},
    },
)
async def token(
    request: Request,
    session: SessionDep,
    grant_type: Annotated[str, Form(max_length=50)],
    code: Annotated[str | None, Form(max_length=200)] = None,
    redirect_uri: Annotated[str | None, Form(max_length=2000)] = None,
    code_verifier: Annotated[str | None, Form(max_length=200)] = None,
    refresh_token: Annotated[str | None, Form(max_length=200)] = None,
    client_id: Annotated[str | None, Form(max_length=100)] = None,
    client_secret: Annotated[str | None, Form(max_length=200)] = None,
) -> JSONResponse:
    from authlib.oauth2.rfc6749.errors import (
        InvalidClientError,
        InvalidGrantError,
        InvalidRequestError,
        OAuth2Error,
        UnsupportedGrantTypeError,
    )
    from authlib.oauth2.rfc7636.challenge import CODE_VERIFIER_PATTERN

    from srs_access.oidc import grants

    # Client secret guessing is throttled per client id and per address, as passwords are
    # (GuessingGuard: 429 with Retry-After before the secret is even checked).
    guard = GuessingGuard.of(request)
    presented = (_basic_credentials(request) or (client_id or "", ""))[0]
    refusal = await guard.refusal(request, "client", presented)
    if refusal is not None:
        return refusal
    # Errors are returned, not raised: what a refused request revokes (the tokens of a
    # replayed code or refresh token) must still be committed.
    try:
        try:
            client = _authenticate_client(request, client_id, client_secret)
        except InvalidClientError:
            await guard.failed(request, "client", presented)
            raise
        if grant_type == "authorization_code":
            if not code or not redirect_uri:
                raise InvalidRequestError("code and redirect_uri are required")
            if not code_verifier or not CODE_VERIFIER_PATTERN.match(code_verifier):
                raise InvalidGrantError(
                    "a code_verifier of 43 to 128 characters is required (PKCE)"
                )
            grant = await grants.redeem_code(
                session,
                code=code,
                client_id=client.client_id,
                redirect_uri=redirect_uri,
                code_verifier=code_verifier,
            )
            return await _token_response(request, session, grant, with_id_token=True)
        if grant_type == "refresh_token":
            if not refresh_token:
                raise InvalidRequestError("refresh_token is required")
            grant = await grants.rotate_refresh_token(
                session, value=refresh_token, client_id=client.client_id
            )
            return await _token_response(request, session, grant, with_id_token=False)
        raise UnsupportedGrantTypeError("grant_type must be authorization_code or refresh_token")
    except OAuth2Error as error:
        return _oauth_error(error)
