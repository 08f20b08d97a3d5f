"""The OpenID Connect provider's routes: discovery, authorize (the sign-in and sign-up
pages), token (code and refresh), userinfo and sign-out (end session)."""

from __future__ import annotations

import hmac
import re
import secrets
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from srs_access.identity import GuessingGuard, _basic_credentials, _password_grant
from srs_access.models import Organisation, User
from srs_access.oidc.clients import RegisteredClient, registered_clients
from srs_access.oidc.models import AccountProfile
from srs_access.passwords import hash_password_async
from srs_access.settings import AccessSettings
from srs_common.auth import Principal, current_principal
from srs_common.db import SessionDep

if TYPE_CHECKING:
    from authlib.oauth2.rfc6749.errors import OAuth2Error
    from fastapi.templating import Jinja2Templates

    from srs_access.oidc import grants

# Authlib, the token helpers and Jinja2 are imported by the routes that use them, not
# with the app: an API process that never serves a sign-in keeps its memory (the access
# service's streaming test holds its peak under 100 MB).

# The browser-facing pages (authorize, register, logout) and the token endpoint speak
# the OAuth 2.0 / OpenID Connect protocols (HTML pages, redirects, RFC 6749 JSON errors),
# not the platform's REST conventions: the discovery document describes them, OpenAPI
# does not (docs/reference/sign-in.md).
router = APIRouter(tags=["openid connect"])
_HERE = Path(__file__).parent


@cache
def _templates() -> Jinja2Templates:
    from fastapi.templating import Jinja2Templates

    return Jinja2Templates(directory=_HERE / "templates")


SCOPES = ("openid", "profile", "email", "offline_access")
FORM_COOKIE = "srs_oidc_form"
MIN_PASSWORD = 12
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def issuer_of(request: Request) -> str:
    settings: AccessSettings = request.app.state.settings
    return (settings.oidc_issuer or str(request.base_url)).rstrip("/")


def _settings(request: Request) -> AccessSettings:
    settings: AccessSettings = request.app.state.settings
    return settings


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
    return FileResponse(_HERE / "static" / "sign-in.css", media_type="text/css")


# -- authorization request -------------------------------------------------------------

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


def _checked_request(
    request: Request, fields: dict[str, str]
) -> tuple[RegisteredClient, dict[str, str]]:
    """The client and the request's fields, or PageError, or a redirect-able OAuth2Error."""
    from authlib.oauth2.rfc6749.errors import InvalidRequestError
    from authlib.oauth2.rfc7636.challenge import CODE_CHALLENGE_PATTERN

    client = registered_clients(_settings(request)).get(fields.get("client_id", ""))
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


def _request_fields(source: Any) -> dict[str, str]:
    return {
        name: str(source[name])[:2000]
        for name in AUTHORIZE_FIELDS
        if source.get(name) not in (None, "")
    }


def _error_redirect(error: OAuth2Error) -> RedirectResponse:
    from authlib.common.urls import add_params_to_uri

    params = [("error", error.error), ("error_description", error.description or "")]
    if error.state:
        params.append(("state", error.state))
    return RedirectResponse(add_params_to_uri(error.redirect_uri, params), status_code=303)


def _page(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    form_token: str | None = None,
) -> HTMLResponse:
    response = _templates().TemplateResponse(
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


def _message(request: Request, title: str, message: str, status: int) -> HTMLResponse:
    return _page(request, "message.html", {"title": title, "message": message}, status=status)


def _form_context(request: Request, fields: dict[str, str], title: str) -> dict[str, Any]:
    token = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(24)
    return {
        "title": title,
        "request_fields": fields,
        "form_token": token,
        "query": urlencode(fields),
    }


def _form_token_ok(request: Request, submitted: str) -> bool:
    cookie = request.cookies.get(FORM_COOKIE, "")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), submitted.encode())


async def _start(
    request: Request, page: str, title: str, extra: dict[str, Any] | None = None
) -> Response:
    from authlib.oauth2.rfc6749.errors import OAuth2Error

    fields = _request_fields(request.query_params)
    try:
        _checked_request(request, fields)
    except PageError as exc:
        return _message(request, "Sign-in cannot continue", exc.message, 400)
    except OAuth2Error as exc:
        return _error_redirect(exc)
    context = _form_context(request, fields, title)
    return _page(request, page, {**context, **(extra or {})}, form_token=context["form_token"])


async def _code_redirect(
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
        ttl_seconds=_settings(request).oidc_code_ttl_seconds,
    )
    target = add_params_to_uri(
        fields["redirect_uri"],
        [("code", code), ("state", fields["state"]), ("iss", issuer_of(request))],
    )
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(FORM_COOKIE, path="/oidc")
    return response


@router.get(
    "/oidc/authorize",
    response_class=HTMLResponse,
    include_in_schema=False,
    summary="Authorization endpoint: the sign-in page (authorization code + PKCE S256)",
)
async def authorize_page(request: Request) -> Response:
    return await _start(request, "sign_in.html", "Sign in", {"username": ""})


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
    fields = _request_fields(form)
    try:
        _checked_request(request, fields)
    except PageError as exc:
        return _message(request, "Sign-in cannot continue", exc.message, 400)
    except OAuth2Error as exc:
        return _error_redirect(exc)
    if not _form_token_ok(request, form_token):
        return _message(
            request,
            "Sign-in cannot continue",
            "The sign-in form has expired. Go back to the service and sign in again.",
            400,
        )
    context = {**_form_context(request, fields, "Sign in"), "username": username}
    username = username.strip().lower() if "@" in username else username.strip()
    guard = GuessingGuard.of(request)
    refusal = await guard.refusal(request, "user", username)
    if refusal is not None:
        wait = refusal.headers.get("Retry-After", "")
        page = _page(
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
        return _page(request, "sign_in.html", {**context, "errors": errors}, status=422)
    user = await _password_grant(session, username, password)
    if user is None:
        await guard.failed(request, "user", username)
        return _page(
            request,
            "sign_in.html",
            {**context, "errors": {"username": "The username or password is not right"}},
            status=401,
        )
    return await _code_redirect(request, session, fields, user.username)


async def _organisations(session: AsyncSession) -> list[Organisation]:
    return list((await session.scalars(select(Organisation).order_by(Organisation.name))).all())


@router.get(
    "/oidc/register",
    response_class=HTMLResponse,
    include_in_schema=False,
    summary="The researcher sign-up page (same authorization request as authorize)",
)
async def register_page(request: Request, session: SessionDep) -> Response:
    return await _start(
        request,
        "register.html",
        "Create a researcher account",
        {
            "organisations": await _organisations(session),
            "min_password": MIN_PASSWORD,
            "values": {},
        },
    )


@router.post("/oidc/register", response_class=HTMLResponse, include_in_schema=False)
async def register(
    request: Request,
    session: SessionDep,
    name: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=320)] = "",
    organisation: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    form_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """A new researcher creates their own login (staff accounts are never self-service)
    and is signed in at once."""
    from authlib.oauth2.rfc6749.errors import OAuth2Error

    form = await request.form()
    fields = _request_fields(form)
    try:
        _checked_request(request, fields)
    except PageError as exc:
        return _message(request, "Sign-up cannot continue", exc.message, 400)
    except OAuth2Error as exc:
        return _error_redirect(exc)
    if not _form_token_ok(request, form_token):
        return _message(
            request,
            "Sign-up cannot continue",
            "The form has expired. Go back to the service and start again.",
            400,
        )
    name, email = name.strip(), email.strip().lower()
    organisations = await _organisations(session)
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter your full name"
    if not _EMAIL.match(email) or len(email) > 100:
        errors["email"] = "Enter an e-mail address like name@example.ac.uk (at most 100 characters)"
    elif await session.get(User, email) is not None or await session.scalar(
        select(AccountProfile).where(AccountProfile.email == email)
    ):
        errors["email"] = "An account with this e-mail address already exists: sign in instead"
    if organisation not in {o.id for o in organisations}:
        errors["organisation"] = "Choose your organisation"
    if len(password) < MIN_PASSWORD:
        errors["password"] = f"Enter a password of at least {MIN_PASSWORD} characters"
    if errors:
        context = _form_context(request, fields, "Create a researcher account")
        return _page(
            request,
            "register.html",
            {
                **context,
                "errors": errors,
                "organisations": organisations,
                "min_password": MIN_PASSWORD,
                "values": {"name": name, "email": email, "organisation": organisation},
            },
            status=422,
        )
    # The researcher id their accreditation profile will be registered under.
    researcher_id = "res-" + secrets.token_hex(8)
    password_hash = await hash_password_async(password)
    try:
        # A savepoint: a sign-up racing this one for the same address loses cleanly.
        async with session.begin_nested():
            session.add(
                User(
                    username=email,
                    password_hash=password_hash,
                    roles=["researcher"],
                    researcher_id=researcher_id,
                    organisation_id=organisation,
                )
            )
            session.add(AccountProfile(username=email, name=name, email=email))
    except IntegrityError:
        context = _form_context(request, fields, "Create a researcher account")
        return _page(
            request,
            "register.html",
            {
                **context,
                "organisations": organisations,
                "min_password": MIN_PASSWORD,
                "errors": {
                    "email": "An account with this e-mail address already exists: sign in instead"
                },
                "values": {"name": name, "email": email, "organisation": organisation},
            },
            status=422,
        )
    return await _code_redirect(request, session, fields, email)


# -- token endpoint --------------------------------------------------------------------


def _oauth_error(error: OAuth2Error) -> JSONResponse:
    from authlib.oauth2.rfc6749.errors import InvalidClientError

    status = error.status_code or 400
    headers = dict(NO_STORE)
    if isinstance(error, InvalidClientError):
        status = 401
        headers["WWW-Authenticate"] = 'Basic realm="srs"'
    return JSONResponse(
        {"error": error.error, "error_description": error.description},
        status_code=status,
        headers=headers,
    )


def _authenticate_client(
    request: Request, client_id: str | None, client_secret: str | None
) -> RegisteredClient:
    from authlib.oauth2.rfc6749.errors import InvalidClientError

    basic = _basic_credentials(request)
    if basic is not None:
        client_id, client_secret = basic
    client = registered_clients(_settings(request)).get(client_id or "")
    if client is None or not client_secret or not client.secret_matches(client_secret):
        raise InvalidClientError("unknown client or wrong client secret")
    return client


async def _token_response(
    request: Request, session: AsyncSession, grant: grants.Grant, *, with_id_token: bool
) -> JSONResponse:
    from authlib.oauth2.rfc6749.errors import InvalidGrantError

    from srs_access.oidc import grants
    from srs_access.oidc.tokens import access_token_for, id_token_for, profile_claims

    settings = _settings(request)
    user = await session.get(User, grant.username)
    if user is None:
        raise InvalidGrantError("the account no longer exists")
    key = request.app.state.signing_key
    access_token, ttl = access_token_for(key, settings, user)
    refresh_token = await grants.issue_refresh_token(
        session, grant, ttl_seconds=settings.oidc_refresh_ttl_seconds
    )
    body: dict[str, Any] = {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ttl,
        "refresh_token": refresh_token,
        "scope": grant.scope,
    }
    if with_id_token:
        profile = await session.get(AccountProfile, user.username)
        body["id_token"] = id_token_for(
            key,
            issuer=issuer_of(request),
            client_id=grant.client_id,
            claims=profile_claims(user, profile, grant.scope),
            nonce=grant.nonce,
            access_token=access_token,
            ttl_seconds=ttl,
            auth_time=grant.auth_time,
        )
    return JSONResponse(body, headers=NO_STORE)


@router.post(
    "/oidc/token",
    include_in_schema=False,
    summary="Token endpoint: authorization_code (with PKCE code_verifier) or "
    "refresh_token (rotated on every use)",
    responses={
        400: {
            "description": "an RFC 6749 error: invalid_grant (unknown, "
            "used or expired code, redirect_uri or PKCE "
            "mismatch, used refresh token), invalid_request, "
            "unsupported_grant_type"
        },
        401: {"description": "invalid_client"},
    },
)
async def token(
    request: Request,
    session: SessionDep,
    grant_type: Annotated[str, Form(max_length=50)],
    code: Annotated[str | None, Form(max_length=200)] = None,
    redirect_uri: Annotated[str | None, Form(max_length=2000)] = None,
    code_verifier: Annotated[str | None, Form(max_length=200)] = None,
    refresh_token: Annotated[str | None, Form(max_length=200)] = None,
    client_id: Annotated[str | None, Form(max_length=100)] = None,
    client_secret: Annotated[str | None, Form(max_length=200)] = None,
) -> JSONResponse:
    from authlib.oauth2.rfc6749.errors import (
        InvalidGrantError,
        InvalidRequestError,
        OAuth2Error,
        UnsupportedGrantTypeError,
    )
    from authlib.oauth2.rfc7636.challenge import CODE_VERIFIER_PATTERN

    from srs_access.oidc import grants

    # Errors are returned, not raised: what a refused request revokes (the tokens of a
    # replayed code or refresh token) must still be committed.
    try:
        client = _authenticate_client(request, client_id, client_secret)
        if grant_type == "authorization_code":
            if not code or not redirect_uri:
                raise InvalidRequestError("code and redirect_uri are required")
            if not code_verifier or not CODE_VERIFIER_PATTERN.match(code_verifier):
                raise InvalidGrantError(
                    "a code_verifier of 43 to 128 characters is required (PKCE)"
                )
            grant = await grants.redeem_code(
                session,
                code=code,
                client_id=client.client_id,
                redirect_uri=redirect_uri,
                code_verifier=code_verifier,
            )
            return await _token_response(request, session, grant, with_id_token=True)
        if grant_type == "refresh_token":
            if not refresh_token:
                raise InvalidRequestError("refresh_token is required")
            grant = await grants.rotate_refresh_token(
                session, value=refresh_token, client_id=client.client_id
            )
            return await _token_response(request, session, grant, with_id_token=False)
        raise UnsupportedGrantTypeError("grant_type must be authorization_code or refresh_token")
    except OAuth2Error as error:
        return _oauth_error(error)


# -- userinfo and sign-out ---------------------------------------------------------------


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

    clients = registered_clients(_settings(request))
    claims = (
        read_id_token_hint(request.app.state.published_keys, id_token_hint, issuer_of(request))
        if id_token_hint
        else None
    )
    if id_token_hint and claims is None:
        return _message(
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
            return _message(
                request,
                "Sign-out cannot continue",
                "The address to return you to is not registered.",
                400,
            )
        target = post_logout_redirect_uri
        if state:
            target = add_params_to_uri(target, [("state", state)])
        return RedirectResponse(target, status_code=303)
    return _message(
        request, "You have signed out", "You have signed out of the Secure Research Service.", 200
    )
