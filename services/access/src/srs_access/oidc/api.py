"""The OpenID Connect provider's routes: discovery, authorize (the sign-in and sign-up
pages), token (code and refresh), userinfo and sign-out (end session), one module each.

The browser-facing pages (authorize, register, logout) and the token endpoint speak
the OAuth 2.0 / OpenID Connect protocols (HTML pages, redirects, RFC 6749 JSON errors),
not the platform's REST conventions: the discovery document describes them, OpenAPI
does not (docs/reference/sign-in.md)."""

from fastapi import APIRouter

from srs_access.oidc import authorize, discovery, registration, session, token

router = APIRouter()
for _module in (discovery, authorize, registration, token, session):
    router.include_router(_module.router)
