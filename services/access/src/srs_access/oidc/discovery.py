"""OpenID Connect discovery and the sign-in pages' stylesheet (the signing keys are
published by srs_access.identity at /.well-known/jwks.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from srs_access.oidc.pages import SCOPES, issuer_of

router = APIRouter(tags=["openid connect"])
_STATIC = Path(__file__).parent / "static"


@router.get(
    "/.well-known/openid-configuration",
    summary="OpenID Connect discovery: the provider's endpoints and what it supports",
)
async def discovery(request: Request) -> dict[str, Any]:
    """The OpenID Connect discovery document (OpenID Connect Discovery 1.0): the issuer,
    the authorization, token, userinfo and end-session endpoints, the JWKS and what the
    provider supports (code flow with PKCE S256 only). Clients configure themselves from it."""
    issuer = issuer_of(request)
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oidc/authorize",
        "token_endpoint": f"{issuer}/oidc/token",
        "userinfo_endpoint": f"{issuer}/oidc/userinfo",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "end_session_endpoint": f"{issuer}/oidc/logout",
        "scopes_supported": list(SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "name",
            "email",
            "email_verified",
            "preferred_username",
            "roles",
            "researcher_id",
            "org",
        ],
    }


@router.get("/oidc/static/sign-in.css", include_in_schema=False)
async def stylesheet() -> FileResponse:
    return FileResponse(_STATIC / "sign-in.css", media_type="text/css")
