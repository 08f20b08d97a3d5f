"""The embedded OpenID Connect provider: sign-in pages, codes with PKCE, refresh tokens,
userinfo and sign-out, on Authlib's primitives, and the confirmation of a sign-up's e-mail
address (docs/reference/sign-in.md)."""

from fastapi import APIRouter

from srs_access.oidc import api, verification

router = APIRouter()
router.include_router(api.router)
router.include_router(verification.router)

__all__ = ["router"]
