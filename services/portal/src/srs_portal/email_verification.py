"""The portal's side of e-mail verification (docs/reference/sign-in.md): a researcher who
created their account signs in at once, but registers their profile only once their
address is confirmed (the token's ``email_verified``; the accreditation service refuses
otherwise). The profile page then says "confirm your e-mail address" and can ask the
provider for a new link."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jose import jwt

from srs_portal.platform import Platform
from srs_portal.security import require_csrf
from srs_portal.signin import access_token

router = APIRouter()


def _claims(token: str) -> dict[str, Any]:
    """The claims of the person's own access token (issued to the portal and verified by
    the services that receive it; read here only to word the page)."""
    try:
        claims: dict[str, Any] = jwt.get_unverified_claims(token)
    except Exception:  # noqa: BLE001 - not a JWT (an opaque token): nothing to read
        return {}
    return claims


async def verified_token(request: Request) -> tuple[str, bool]:
    """The person's access token and whether their e-mail address is confirmed. A token
    that says it is not is refreshed first: the person may just have followed the link."""
    token = await access_token(request)
    if _claims(token).get("email_verified") is False:
        tokens = request.session.get("tokens") or {}
        if tokens.get("refresh_token"):
            request.session["tokens"] = {**tokens, "expires_at": 0}
            token = await access_token(request)
    return token, _claims(token).get("email_verified") is not False


@router.post(
    "/profile/verification-email",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def send_new_link(request: Request) -> Response:
    """Asks the sign-in provider to e-mail a new confirmation link."""
    from srs_portal.profile import _page, researcher

    user = researcher(request)
    token, verified = await verified_token(request)
    if verified:
        return RedirectResponse("/profile/register", status_code=303)
    platform: Platform = request.app.state.platform
    status, body = await platform.post("access", "/oidc/verification-email", token=token, json=None)
    values = {"name": user.get("name") or "", "email": user.get("email") or ""}
    body = body if isinstance(body, dict) else {}
    if status == 202:
        return _page(request, values, {}, unverified=True, sent=body.get("email") or True)
    if status == 409:  # confirmed meanwhile
        return RedirectResponse("/profile/register", status_code=303)
    if status == 429:
        message = (
            "You have asked for several links in the last few minutes. Use the newest e-mail, "
            "or wait 15 minutes and ask again."
        )
    else:
        message = "A new link could not be sent just now. Try again later."
    errors = {"verification": message}
    return _page(request, values, errors, status=429 if status == 429 else 400, unverified=True)
