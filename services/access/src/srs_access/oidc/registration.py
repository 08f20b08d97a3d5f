"""Sign-up: a researcher creates their own login from the authorization request and is
signed in at once; the address is confirmed by srs_access.oidc.verification."""

from __future__ import annotations

import re
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from srs_access.models import Organisation, User
from srs_access.oidc.models import AccountProfile
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
from srs_access.passwords import hash_password_async
from srs_common.db import SessionDep

router = APIRouter(tags=["openid connect"])
MIN_PASSWORD = 12
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


async def _organisations(session: AsyncSession) -> list[Organisation]:
    return list((await session.scalars(select(Organisation).order_by(Organisation.name))).all())


@router.get(
    "/oidc/register",
    response_class=HTMLResponse,
    include_in_schema=False,
    summary="The researcher sign-up page (same authorization request as authorize)",
)
async def register_page(request: Request, session: SessionDep) -> Response:
    return await start_form(
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
    fields = request_fields(form)
    try:
        checked_request(request, fields)
    except PageError as exc:
        return render_message(request, "Sign-up cannot continue", exc.message, 400)
    except OAuth2Error as exc:
        return error_redirect(exc)
    if not form_token_ok(request, form_token):
        return render_message(
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
        context = form_context(request, fields, "Create a researcher account")
        return render_page(
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
        context = form_context(request, fields, "Create a researcher account")
        return render_page(
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
    # Signed in at once, but the address is confirmed by the link e-mailed to it.
    from srs_access.oidc.verification import request_verification

    user = await session.get(User, email)
    profile = await session.get(AccountProfile, email)
    assert user is not None and profile is not None
    await request_verification(session, request, user, profile)
    return await code_redirect(request, session, fields, email)
