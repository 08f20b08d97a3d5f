"""Signing people in with OpenID Connect (authorization code + PKCE S256) through
Authlib's Starlette client, against the provider the settings name."""

from __future__ import annotations

import time
from typing import Any

import httpx
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.integrations.starlette_client import OAuth
from fastapi import Request

from srs_portal.platform import SignInAgain
from srs_portal.settings import PortalSettings

# Refresh an access token this long before it expires.
REFRESH_MARGIN_SECONDS = 30


def provider_client(
    settings: PortalSettings, transport: httpx.AsyncBaseTransport | None = None
) -> Any:
    oauth = OAuth()
    client_kwargs: dict[str, Any] = {
        "scope": settings.oidc_scope,
        "code_challenge_method": "S256",
        "token_endpoint_auth_method": "client_secret_basic",
    }
    if transport is not None:
        client_kwargs["transport"] = transport
    return oauth.register(
        name="srs",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value(),
        server_metadata_url=settings.oidc_issuer_url.rstrip("/")
        + "/.well-known/openid-configuration",
        client_kwargs=client_kwargs,
    )


def session_tokens(token: dict[str, Any]) -> dict[str, Any]:
    expires_at = token.get("expires_at") or time.time() + int(token.get("expires_in", 300))
    return {
        "access_token": token["access_token"],
        "refresh_token": token.get("refresh_token"),
        "id_token": token.get("id_token"),
        "expires_at": int(expires_at),
    }


async def access_token(request: Request) -> str:
    """The signed-in person's access token, refreshed (and the refresh token rotated)
    when it is about to expire. Raises :class:`SignInAgain` when that cannot be done."""
    tokens = request.session.get("tokens")
    if not tokens:
        raise SignInAgain()
    if tokens["expires_at"] - REFRESH_MARGIN_SECONDS > time.time():
        return str(tokens["access_token"])
    if not tokens.get("refresh_token"):
        raise SignInAgain()
    provider = request.app.state.provider
    metadata = await provider.load_server_metadata()
    kwargs = {k: v for k, v in provider.client_kwargs.items() if k == "transport"}
    try:
        async with AsyncOAuth2Client(
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            token_endpoint_auth_method="client_secret_basic",
            **kwargs,
        ) as client:
            token = await client.refresh_token(
                metadata["token_endpoint"], refresh_token=tokens["refresh_token"]
            )
    except Exception as exc:  # noqa: BLE001 - any refusal: the person signs in again
        raise SignInAgain() from exc
    refreshed = session_tokens(token)
    refreshed["id_token"] = refreshed["id_token"] or tokens.get("id_token")
    request.session["tokens"] = refreshed
    return str(refreshed["access_token"])
