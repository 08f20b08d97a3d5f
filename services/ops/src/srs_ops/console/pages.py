"""The console's pages: the console itself, and signing in and out through the OpenID
Connect provider. Every action the console takes goes through the same authorised API,
with the signed-in operator's token (:mod:`srs_ops.console.sessions`)."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from authlib.integrations.base_client.errors import OAuthError
from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from srs_common.errors import AppError
from srs_ops.console.sessions import ROTATE, csrf_matches
from srs_ops.console.signin import (
    CONSOLE_ROLES,
    SignInAgain,
    fresh_access_token,
    provider_client,
    session_tokens,
)
from srs_ops.settings import OpsSettings

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(tags=["console"])

SIGNED_OUT = "signed-out"
EXPIRED = "expired"
NOTICES = {
    EXPIRED: "Your sign-in has expired. Sign in again to continue.",
    SIGNED_OUT: "You have signed out of the operations console.",
}


# The console's script and styles: files, since its policy allows no inline script.
STATIC_FILES = {"console.js": "text/javascript", "console.css": "text/css"}


def _settings(request: Request) -> OpsSettings:
    settings: OpsSettings = request.app.state.settings
    return settings


def _message(
    request: Request, title: str, message: str, status: int, *, sign_in: bool = True
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "message.html",
        {"title": title, "message": message, "sign_in": sign_in},
        status_code=status,
    )


@router.get(
    "/console",
    response_class=HTMLResponse,
    summary="The operations console (HTML)",
    responses={200: {"content": {"text/html": {"example": "<!doctype html>..."}}}},
)
async def console_page(request: Request, notice: str | None = None) -> HTMLResponse:
    """The operators' web console: one HTML page over this service's API (events, sagas,
    lag, dead letters). Without a console session it offers to sign in through the
    OpenID Connect provider; roles ops and support only."""
    session = request.session
    if not session.get("user"):
        return _message(
            request,
            "Sign in to the operations console",
            NOTICES.get(notice or "", "Sign in with your SRS account (role ops or support)."),
            200,
        )
    try:
        await fresh_access_token(request.app, session)
    except SignInAgain:
        session.clear()
        return _message(request, "Sign in to the operations console", NOTICES[EXPIRED], 200)
    settings = _settings(request)
    return templates.TemplateResponse(
        request,
        "console.html",
        {
            "user": session["user"],
            "csrf": session["csrf"],
            "retention_days": settings.retention_days,
            "lag_refresh_seconds": settings.lag_refresh_seconds,
        },
    )


@router.get("/console/sign-in", include_in_schema=False)
async def sign_in(request: Request) -> Response:
    """Off to the provider's sign-in page (authorization code + PKCE S256)."""
    try:
        response: Response = await provider_client(request.app).authorize_redirect(
            request, _settings(request).console_redirect_uri
        )
    except Exception as exc:  # noqa: BLE001 - provider unreachable or its metadata unusable
        log.warning("console sign-in: the provider is unavailable: %r", exc)
        return _message(
            request,
            "Sign-in is unavailable",
            "The sign-in service cannot be reached just now. Try again in a minute.",
            503,
        )
    return response


@router.get("/console/auth/callback", include_in_schema=False)
async def callback(request: Request) -> Response:
    """The provider's answer: the code is exchanged (with the PKCE verifier) for tokens,
    kept server-side; only roles ops and support get a console session."""
    try:
        token = await provider_client(request.app).authorize_access_token(request)
    except OAuthError as exc:
        log.info("console sign-in refused at the callback: %s", exc.error)
        request.session.clear()
        return _message(
            request,
            "Sign-in did not complete",
            "The sign-in could not be completed. Start again from the sign-in link.",
            400,
        )
    try:
        principal = await request.app.state.verifier.verify(token["access_token"])
    except AppError:
        request.session.clear()
        return _message(
            request, "Sign-in did not complete", "The provider's token was not accepted.", 400
        )
    request.session.clear()
    if not principal.roles & CONSOLE_ROLES:
        return _message(
            request,
            "You cannot use the operations console",
            "The operations console is for operations staff (role ops or support). Your "
            "account does not have either role; ask the service's administrators if you "
            "need it.",
            403,
            sign_in=False,
        )
    # A new session id for the signed-in operator (against session fixation).
    request.scope[ROTATE] = True
    claims: dict[str, Any] = token.get("userinfo") or {}
    request.session["user"] = {
        "sub": principal.sub,
        "name": claims.get("name") or principal.sub,
        "roles": sorted(principal.roles),
    }
    request.session["tokens"] = session_tokens(token)
    request.session["csrf"] = secrets.token_urlsafe(24)
    return RedirectResponse("/console", status_code=303)


@router.post("/console/sign-out", include_in_schema=False)
async def sign_out(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Ends the console session here and at the provider (its refresh tokens revoked),
    then back to the console's sign-in page."""
    session = request.session
    if session and not csrf_matches(session, csrf):
        return _message(request, "Sign-out did not complete", "Reload the console first.", 403)
    tokens = session.get("tokens") or {}
    session.clear()
    settings = _settings(request)
    back = f"{settings.console_after_sign_out_url}?notice={SIGNED_OUT}"
    try:
        metadata = await provider_client(request.app).load_server_metadata()
    except Exception:  # noqa: BLE001 - signed out here at least
        return RedirectResponse(back, status_code=303)
    end_session = metadata.get("end_session_endpoint")
    if not end_session or not tokens.get("id_token"):
        return RedirectResponse(back, status_code=303)
    params = {
        "post_logout_redirect_uri": settings.console_after_sign_out_url,
        "client_id": settings.console_client_id,
        "id_token_hint": tokens["id_token"],
    }
    return RedirectResponse(f"{end_session}?{urlencode(params)}", status_code=303)


@router.get("/console/static/{name}", include_in_schema=False)
async def static_file(name: str) -> Response:
    """The console's script or stylesheet (nothing else is served from here)."""
    if name not in STATIC_FILES:
        raise AppError("no such file", status=404, title="Not found")
    return FileResponse(
        STATIC_DIR / name, media_type=STATIC_FILES[name], headers={"Cache-Control": "no-cache"}
    )
