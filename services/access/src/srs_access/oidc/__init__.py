"""The embedded OpenID Connect provider: sign-in pages, codes with PKCE, refresh tokens,
userinfo and sign-out, on Authlib's primitives (docs/reference/sign-in.md)."""

from srs_access.oidc.api import router

__all__ = ["router"]
