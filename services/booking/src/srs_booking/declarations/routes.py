"""Routes of the security declaration: its text, signing it, and one's signature."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from srs_booking.declarations import service
from srs_booking.deps import Researcher, Settings
from srs_booking.schemas import DeclarationRead, DeclarationSign, DeclarationText
from srs_common.auth import CurrentPrincipal
from srs_common.context import Now
from srs_common.db import SessionDep
from srs_common.errors import NotFound, problem_responses

router = APIRouter()


@router.get(
    "/declaration",
    response_model=DeclarationText,
    summary="The current security declaration text and version",
    responses=problem_responses(401),
)
async def read_declaration(principal: CurrentPrincipal, settings: Settings) -> DeclarationText:
    """The text of the current security declaration and its version, which a researcher signs
    before booking."""
    version, text = service.current_declaration(settings)
    return DeclarationText(version=version, text=text)


@router.post(
    "/declarations",
    response_model=DeclarationRead,
    status_code=status.HTTP_201_CREATED,
    summary="Sign the current security declaration (researcher)",
    responses=problem_responses(401, 403, {422: "invalid input, or a booking rule not met"}),
)
async def sign_declaration(
    data: DeclarationSign, session: SessionDep, principal: Researcher, settings: Settings, now: Now
) -> Any:
    """The researcher signs the version of the declaration they read; bookings need a signature of
    the current version."""
    return await service.sign_declaration(session, principal, data.version, settings, now)


@router.get(
    "/declarations/me",
    response_model=DeclarationRead,
    summary="My signature of the current declaration (researcher)",
    responses=problem_responses(401, 403, {404: "no such signature, or not yours to see"}),
)
async def my_declaration(session: SessionDep, principal: Researcher, settings: Settings) -> Any:
    """Whether and when the caller signed the current version of the declaration."""
    signed = await service.signed_declaration(session, principal.actor_id, settings)
    if signed is None:
        raise NotFound(f"no signature of declaration version {settings.declaration_version}")
    return signed
