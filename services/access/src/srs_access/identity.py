"""The embedded identity provider: token endpoint and JWKS (production: external OIDC)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.db import SessionDep
from srs_common.errors import AppError
from srs_common.tokens import SigningKey, issue_token, jwks
from srs_access.models import User
from srs_access.passwords import verify_password
from srs_access.schemas import TokenResponse
from srs_access.settings import AccessSettings

router = APIRouter(tags=["identity"])


class InvalidGrant(AppError):
    status = 400
    title = "invalid_grant"


def signing_key(settings: AccessSettings) -> SigningKey:
    if settings.signing_key_pem:
        return SigningKey.from_pem(settings.signing_key_pem)
    return SigningKey.load_or_create(settings.signing_key_path)


@router.get("/.well-known/jwks.json", summary="Public keys that verify platform tokens")
async def jwks_document(request: Request) -> dict:
    return jwks(request.app.state.signing_key)


async def _password_grant(session: AsyncSession, username: str, password: str) -> User:
    user = await session.get(User, username)
    if user is None or not verify_password(password, user.password_hash):
        raise InvalidGrant("unknown user or wrong password")
    return user


@router.post("/v1/auth/token", response_model=TokenResponse,
             summary="Get an access token (OAuth2 password grant, embedded default only)",
             responses={400: {"description": "unknown user, wrong password or grant type"}})
async def token(
    request: Request,
    session: SessionDep,
    grant_type: Annotated[str, Form(examples=["password"])],
    username: Annotated[str, Form(max_length=100, examples=["alice"])],
    password: Annotated[str, Form(max_length=200, examples=["alice-demo"])],
) -> TokenResponse:
    if grant_type != "password":
        raise InvalidGrant("unsupported grant_type", title="unsupported_grant_type")
    user = await _password_grant(session, username, password)
    settings: AccessSettings = request.app.state.settings
    ttl = settings.token_ttl_seconds
    access_token = issue_token(
        request.app.state.signing_key, sub=user.username, roles=list(user.roles),
        issuer=settings.platform.jwt_issuer, audience=settings.platform.jwt_audience,
        ttl_seconds=ttl, researcher_id=user.researcher_id, org=user.organisation_id)
    return TokenResponse(access_token=access_token, expires_in=min(ttl, 900))
