"""The signed-in person's claims (userinfo) and sign-out (RP-Initiated Logout)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from srs_access.models import User
from srs_access.oidc.clients import registered_clients
from srs_access.oidc.models import AccountProfile
from srs_access.oidc.pages import NO_STORE, issuer_of, render_message, settings_of
from srs_common.auth import Principal, current_principal
from srs_common.db import SessionDep

router = APIRouter(tags=["openid connect"])


@router.get("/oidc/userinfo", summary="The signed-in person's claims (bearer access token)")
async def userinfo(
    session: SessionDep, principal: Annotated[Principal, Depends(current_principal)]
) -> JSONResponse:
    """The claims of the person the bearer access token was issued to (OpenID Connect Core
    5.3): `sub`, name, e-mail, organisation and roles, as the scopes granted allow."""
    from srs_access.oidc.tokens import profile_claims

    user = await session.get(User, principal.sub)
    if user is None:
        return JSONResponse(
            {"sub": principal.sub, "roles": sorted(principal.roles)}, headers=NO_STORE
        )
    profile = await session.get(AccountProfile, user.username)
    return JSONResponse(profile_claims(user, profile, "openid profile email"), headers=NO_STORE)


@router.get(
    "/oidc/logout",
    response_class=HTMLResponse,
    include_in_schema=False,
    summary="End session (OpenID Connect RP-Initiated Logout): revokes the person's "
    "refresh tokens at the client; returns to an allow-listed address",
)
async def end_session(
    request: Request,
    session: SessionDep,
    id_token_hint: str | None = None,
    post_logout_redirect_uri: str | None = None,
    client_id: str | None = None,
    state: str | None = None,
) -> Response:
    from authlib.common.urls import add_params_to_uri

    from srs_access.oidc import grants
    from srs_access.oidc.tokens import read_id_token_hint

    clients = registered_clients(settings_of(request))
    claims = (
        read_id_token_hint(request.app.state.published_keys, id_token_hint, issuer_of(request))
        if id_token_hint
        else None
    )
    if id_token_hint and claims is None:
        return render_message(
            request,
            "Sign-out cannot continue",
            "The sign-out request was not made by a known service.",
            400,
        )
    client = clients.get(str(claims["aud"]) if claims else (client_id or ""))
    if claims is not None and client is not None:
        await grants.revoke_user_sessions(
            session, username=str(claims["sub"]), client_id=client.client_id
        )
    if post_logout_redirect_uri:
        if client is None or post_logout_redirect_uri not in client.post_logout_redirect_uris:
            return render_message(
                request,
                "Sign-out cannot continue",
                "The address to return you to is not registered.",
                400,
            )
        target = post_logout_redirect_uri
        if state:
            target = add_params_to_uri(target, [("state", state)])
        return RedirectResponse(target, status_code=303)
    return render_message(
        request, "You have signed out", "You have signed out of the Secure Research Service.", 200
    )
