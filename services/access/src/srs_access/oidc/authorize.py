"""The authorization endpoint: the sign-in page and the sign-in it posts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from srs_access.identity import GuessingGuard, _password_grant
from srs_access.oidc.pages import (
    PageError,
    checked_request,
    code_redirect,
    error_redirect,
    form_context,
    form_token_ok,
    render_message,
    render_page,
    request_fields,
    start_form,
)
from srs_common.db import SessionDep

router = APIRouter(tags=["openid connect"])


@router.get(
    "/oidc/authorize",
    response_class=HTMLResponse,
    include_in_schema=False,
    summary="Authorization endpoint: the sign-in page (authorization code + PKCE S256)",
)
async def authorize_page(request: Request) -> Response:
    return await start_form(request, "sign_in.html", "Sign in", {"username": ""})


@router.post("/oidc/authorize", response_class=HTMLResponse, include_in_schema=False)
async def authorize_sign_in(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    form_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    from authlib.oauth2.rfc6749.errors import OAuth2Error

    form = await request.form()
    fields = request_fields(form)
    try:
        checked_request(request, fields)
    except PageError as exc:
        return render_message(request, "Sign-in cannot continue", exc.message, 400)
    except OAuth2Error as exc:
        return error_redirect(exc)
    if not form_token_ok(request, form_token):
        return render_message(
            request,
            "Sign-in cannot continue",
            "The sign-in form has expired. Go back to the service and sign in again.",
            400,
        )
    context = {**form_context(request, fields, "Sign in"), "username": username}
    username = username.strip().lower() if "@" in username else username.strip()
    guard = GuessingGuard.of(request)
    refusal = await guard.refusal(request, "user", username)
    if refusal is not None:
        wait = refusal.headers.get("Retry-After", "")
        page = render_page(
            request,
            "sign_in.html",
            {
                **context,
                "errors": {
                    "username": f"Too many failed sign-in attempts. Try again in {wait} seconds."
                },
            },
            status=429,
        )
        page.headers["Retry-After"] = wait
        return page
    errors: dict[str, str] = {}
    if not username:
        errors["username"] = "Enter your username or e-mail address"
    if not password:
        errors["password"] = "Enter your password"
    if errors:
        return render_page(request, "sign_in.html", {**context, "errors": errors}, status=422)
    user = await _password_grant(session, username, password)
    if user is None:
        await guard.failed(request, "user", username)
        return render_page(
            request,
            "sign_in.html",
            {**context, "errors": {"username": "The username or password is not right"}},
            status=401,
        )
    return await code_redirect(request, session, fields, user.username)
