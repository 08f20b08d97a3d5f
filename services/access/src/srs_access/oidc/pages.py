"""The authorization request and the pages around it: checking a request (client,
redirect URI, scope, state, PKCE), rendering the sign-in pages with their double-submit
form token, and the redirect that carries the code back to the client."""

from __future__ import annotations

import hmac
import secrets
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from srs_access.oidc.clients import RegisteredClient, registered_clients
from srs_access.settings import AccessSettings

if TYPE_CHECKING:
    from authlib.oauth2.rfc6749.errors import OAuth2Error
    from fastapi.templating import Jinja2Templates

# Authlib, the token helpers and Jinja2 are imported by the routes that use them, not
# with the app: an API process that never serves a sign-in keeps its memory (the access
# service's streaming test holds its peak under 100 MB).

_HERE = Path(__file__).parent


@cache
def templates() -> Jinja2Templates:
    from fastapi.templating import Jinja2Templates

    return Jinja2Templates(directory=_HERE / "templates")


SCOPES = ("openid", "profile", "email", "offline_access")
FORM_COOKIE = "srs_oidc_form"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def issuer_of(request: Request) -> str:
    settings: AccessSettings = request.app.state.settings
    return (settings.oidc_issuer or str(request.base_url)).rstrip("/")


def settings_of(request: Request) -> AccessSettings:
    settings: AccessSettings = request.app.state.settings
    return settings


AUTHORIZE_FIELDS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
)


class PageError(Exception):
    """An authorization request that cannot go back to the client (unknown client or
    redirect URI): shown to the person, never redirected."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def checked_request(
    request: Request, fields: dict[str, str]
) -> tuple[RegisteredClient, dict[str, str]]:
    """The client and the request's fields, or PageError, or a redirect-able OAuth2Error."""
    from authlib.oauth2.rfc6749.errors import InvalidRequestError
    from authlib.oauth2.rfc7636.challenge import CODE_CHALLENGE_PATTERN

    client = registered_clients(settings_of(request)).get(fields.get("client_id", ""))
    if client is None:
        raise PageError(
            "The service that sent you here is not known to the Secure Research Service."
        )
    redirect_uri = fields.get("redirect_uri", "")
    if redirect_uri not in client.redirect_uris:
        raise PageError("The address to return you to is not registered for this service.")
    state = fields.get("state") or None

    def refuse(error: OAuth2Error) -> OAuth2Error:
        error.redirect_uri, error.state = redirect_uri, state
        return error

    if fields.get("response_type") != "code":
        error: OAuth2Error = InvalidRequestError("response_type must be code")
        error.error = "unsupported_response_type"
        raise refuse(error)
    scopes = fields.get("scope", "").split()
    if "openid" not in scopes or not set(scopes) <= set(SCOPES):
        error = InvalidRequestError("scope must include openid and only: " + " ".join(SCOPES))
        error.error = "invalid_scope"
        raise refuse(error)
    if not state:
        raise refuse(InvalidRequestError("state is required"))
    if fields.get("code_challenge_method") != "S256" or not CODE_CHALLENGE_PATTERN.match(
        fields.get("code_challenge", "")
    ):
        raise refuse(
            InvalidRequestError(
                "PKCE is required: a code_challenge with code_challenge_method S256"
            )
        )
    return client, fields


def request_fields(source: Any) -> dict[str, str]:
    return {
        name: str(source[name])[:2000]
        for name in AUTHORIZE_FIELDS
        if source.get(name) not in (None, "")
    }


def error_redirect(error: OAuth2Error) -> RedirectResponse:
    from authlib.common.urls import add_params_to_uri

    params = [("error", error.error), ("error_description", error.description or "")]
    if error.state:
        params.append(("state", error.state))
    return RedirectResponse(add_params_to_uri(error.redirect_uri, params), status_code=303)


def render_page(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    form_token: str | None = None,
) -> HTMLResponse:
    response = templates().TemplateResponse(
        request, name, {"errors": {}, **context}, status_code=status, headers=NO_STORE
    )
    if form_token is not None:
        # Double-submit token against sign-in CSRF: the form carries what the cookie holds.
        response.set_cookie(
            FORM_COOKIE,
            form_token,
            httponly=True,
            samesite="strict",
            path="/oidc",
            secure=request.url.scheme == "https",
        )
    return response


def render_message(request: Request, title: str, message: str, status: int) -> HTMLResponse:
    return render_page(request, "message.html", {"title": title, "message": message}, status=status)


def form_context(request: Request, fields: dict[str, str], title: str) -> dict[str, Any]:
    token = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(24)
    return {
        "title": title,
        "request_fields": fields,
        "form_token": token,
        "query": urlencode(fields),
    }


def form_token_ok(request: Request, submitted: str) -> bool:
    cookie = request.cookies.get(FORM_COOKIE, "")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), submitted.encode())


async def start_form(
    request: Request, page: str, title: str, extra: dict[str, Any] | None = None
) -> Response:
    from authlib.oauth2.rfc6749.errors import OAuth2Error

    fields = request_fields(request.query_params)
    try:
        checked_request(request, fields)
    except PageError as exc:
        return render_message(request, "Sign-in cannot continue", exc.message, 400)
    except OAuth2Error as exc:
        return error_redirect(exc)
    context = form_context(request, fields, title)
    return render_page(
        request, page, {**context, **(extra or {})}, form_token=context["form_token"]
    )


async def code_redirect(
    request: Request, session: AsyncSession, fields: dict[str, str], username: str
) -> RedirectResponse:
    from authlib.common.urls import add_params_to_uri

    from srs_access.oidc import grants

    code = await grants.issue_code(
        session,
        client_id=fields["client_id"],
        username=username,
        redirect_uri=fields["redirect_uri"],
        scope=fields["scope"],
        nonce=fields.get("nonce"),
        code_challenge=fields["code_challenge"],
        ttl_seconds=settings_of(request).oidc_code_ttl_seconds,
    )
    target = add_params_to_uri(
        fields["redirect_uri"],
        [("code", code), ("state", fields["state"]), ("iss", issuer_of(request))],
    )
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(FORM_COOKIE, path="/oidc")
    return response
