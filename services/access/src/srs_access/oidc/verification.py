"""Confirming a sign-up's e-mail address (docs/reference/sign-in.md).

A researcher who creates an account at ``/oidc/register`` can sign in at once, but their
tokens say ``email_verified: false`` (OpenID Connect's claim) until they follow the link
e-mailed to them, and the accreditation service refuses to register their researcher
profile until then. The link is mailed by the notifier: the access service publishes
``srs.account.email_verification_requested.v1`` with it (through its outbox, in the
sign-up's transaction). A link works once and expires; only its SHA-256 hash is stored.
Accounts without a self-service profile (staff, the demo users) have no address here to
confirm: their tokens carry no such claim.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_access.models import User
from srs_access.oidc.grants import token_hash
from srs_access.oidc.models import AccountProfile, EmailVerification
from srs_access.oidc.pages import NO_STORE, issuer_of, render_message
from srs_common.auth import Principal, current_principal
from srs_common.contracts.accounts import EmailVerificationRequested
from srs_common.db import SessionDep, utcnow
from srs_common.errors import problem, problem_responses
from srs_common.events.outbox import publish

router = APIRouter(tags=["openid connect"])

# How long a link works; how many may be sent (sign-up and resends) in a window.
LINK_TTL = dt.timedelta(hours=48)
RESEND_LIMIT = 3
RESEND_WINDOW = dt.timedelta(minutes=15)
VERIFY_PATH = "/oidc/verify-email"


async def request_verification(
    session: AsyncSession, request: Request, user: User, profile: AccountProfile
) -> None:
    """A new link for ``user``, mailed by the notifier (the event is published with the
    caller's transaction)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires_at = now + LINK_TTL
    session.add(
        EmailVerification(
            token_hash=token_hash(token),
            username=user.username,
            created_at=now,
            expires_at=expires_at,
        )
    )
    await session.flush()
    await publish(
        session,
        EmailVerificationRequested(
            researcher_id=user.researcher_id or user.username,
            name=profile.name,
            email=profile.email,
            organisation_id=user.organisation_id or "",
            verify_url=f"{issuer_of(request)}{VERIFY_PATH}?" + urlencode({"token": token}),
            expires_at=expires_at,
            occurred_at=now,
        ),
        subject=user.researcher_id or user.username,
    )


@router.get(VERIFY_PATH, response_class=HTMLResponse, include_in_schema=False)
async def verify_email(
    request: Request,
    session: SessionDep,
    token: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    """The link in the e-mail: confirms the address, once."""
    stored = await session.get(EmailVerification, token_hash(token)) if token else None
    profile = await session.get(AccountProfile, stored.username) if stored else None
    if stored is None or profile is None:
        return render_message(
            request,
            "This link does not work",
            "The link is not one we sent, or it was copied incompletely. Open the link in "
            "the e-mail again, or sign in to the portal and ask for a new one.",
            400,
        )
    if profile.email_verified_at is not None:
        return render_message(
            request,
            "Your e-mail address is confirmed",
            "Your e-mail address was already confirmed. Go back to the portal to continue.",
            200,
        )
    now = utcnow()
    if stored.used_at is not None or stored.expires_at <= now:
        return render_message(
            request,
            "This link has expired",
            "Sign in to the portal and ask for a new link to confirm your e-mail address.",
            400,
        )
    stored.used_at = now
    profile.email_verified_at = now
    return render_message(
        request,
        "Your e-mail address is confirmed",
        "Thank you. Go back to the portal to register your researcher profile.",
        200,
    )


@router.post(
    "/oidc/verification-email",
    status_code=202,
    summary="Send the signed-in person a new link that confirms their e-mail address",
    responses={
        202: {"description": "a new link is on its way (the notifier sends it)"},
        **problem_responses(
            401,
            {
                409: "the address is already confirmed, or the account has none",
                429: "too many links asked for; `Retry-After` says when to ask again",
            },
        ),
    },
)
async def resend_verification_email(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, Depends(current_principal)],
) -> Response:
    """For a researcher whose e-mail did not arrive: a new link (the earlier ones keep
    working until they expire). At most RESEND_LIMIT links per account in RESEND_WINDOW."""
    user = await session.get(User, principal.sub)
    profile = await session.get(AccountProfile, principal.sub) if user else None
    if user is None or profile is None or profile.email_verified_at is not None:
        return problem(
            409,
            "Nothing to confirm",
            "this account's e-mail address is already confirmed, or it has none here",
            instance=request.url.path,
        )
    now = utcnow()
    recent = list(
        await session.scalars(
            select(EmailVerification.created_at)
            .where(
                EmailVerification.username == user.username,
                EmailVerification.created_at > now - RESEND_WINDOW,
            )
            .order_by(EmailVerification.created_at)
        )
    )
    if len(recent) >= RESEND_LIMIT:
        wait = max(1, int((recent[-RESEND_LIMIT] + RESEND_WINDOW - now).total_seconds()) + 1)
        return problem(
            429,
            "Too many links asked for",
            f"{RESEND_LIMIT} links were sent in the last "
            f"{int(RESEND_WINDOW.total_seconds() // 60)} minutes; ask again in {wait}s",
            instance=request.url.path,
            headers={"Retry-After": str(wait), "Cache-Control": "no-store"},
        )
    await request_verification(session, request, user, profile)
    return JSONResponse({"status": "sent", "email": profile.email}, 202, headers=NO_STORE)
