"""Signing operators in with OpenID Connect (authorization code + PKCE S256) through
Authlib's Starlette client, against the provider the settings name; and keeping the
session's access token fresh with its refresh token."""

from __future__ import annotations

import time
from typing import Any

from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.integrations.starlette_client import OAuth
from fastapi import FastAPI

from srs_ops.settings import OpsSettings

# Refresh an access token this long before it expires.
REFRESH_MARGIN_SECONDS = 30
# Roles that may open the console: those the ops API's read routes allow.
CONSOLE_ROLES = frozenset({"ops", "support"})


class SignInAgain(Exception):
    """The session holds no usable token and none can be had without the operator."""


def provider_client(app: FastAPI) -> Any:
    """The registered OIDC client, made on first use. Tests put an httpx transport on
    ``app.state.console_provider_transport`` to reach an in-process provider."""
    client = getattr(app.state, "console_provider", None)
    if client is not None:
        return client
    settings: OpsSettings = app.state.settings
    client_kwargs: dict[str, Any] = {
        "scope": "openid profile",
        "code_challenge_method": "S256",
        "token_endpoint_auth_method": "client_secret_basic",
    }
    transport = getattr(app.state, "console_provider_transport", None)
    if transport is not None:
        client_kwargs["transport"] = transport
    client = OAuth().register(
        name="srs",
        client_id=settings.console_client_id,
        client_secret=settings.console_client_secret.get_secret_value(),
        server_metadata_url=settings.oidc_issuer_url.rstrip("/")
        + "/.well-known/openid-configuration",
        client_kwargs=client_kwargs,
    )
    app.state.console_provider = client
    return client


def session_tokens(token: dict[str, Any]) -> dict[str, Any]:
    expires_at = token.get("expires_at") or time.time() + int(token.get("expires_in", 300))
    return {
        "access_token": token["access_token"],
        "refresh_token": token.get("refresh_token"),
        "id_token": token.get("id_token"),
        "expires_at": int(expires_at),
    }


async def fresh_access_token(app: FastAPI, session: dict[str, Any]) -> str:
    """The session's access token, refreshed (the refresh token rotated, ``session``
    updated in place) when it is about to expire. Raises :class:`SignInAgain` when that
    cannot be done: no tokens, no refresh token, or the provider refuses it."""
    tokens = session.get("tokens")
    if not tokens:
        raise SignInAgain()
    if tokens["expires_at"] - REFRESH_MARGIN_SECONDS > time.time():
        return str(tokens["access_token"])
    if not tokens.get("refresh_token"):
        raise SignInAgain()
    provider = provider_client(app)
    kwargs = {k: v for k, v in provider.client_kwargs.items() if k == "transport"}
    try:
        metadata = await provider.load_server_metadata()
        async with AsyncOAuth2Client(
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            token_endpoint_auth_method="client_secret_basic",
            **kwargs,
        ) as client:
            token = await client.refresh_token(
                metadata["token_endpoint"], refresh_token=tokens["refresh_token"]
            )
    except Exception as exc:  # noqa: BLE001 - any refusal: the operator signs in again
        raise SignInAgain() from exc
    refreshed = session_tokens(token)
    refreshed["id_token"] = refreshed["id_token"] or tokens.get("id_token")
    session["tokens"] = refreshed
    return str(refreshed["access_token"])
