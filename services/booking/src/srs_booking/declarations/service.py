"""The security declaration: its current text, and researchers' signatures."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from srs_booking.declarations.texts import DECLARATIONS
from srs_booking.models import SecurityDeclaration
from srs_booking.settings import BookingSettings
from srs_common.auth import Principal
from srs_common.errors import RuleViolation


def current_declaration(settings: BookingSettings) -> tuple[str, str]:
    """The version researchers must have signed, and its text."""
    return settings.declaration_version, DECLARATIONS[settings.declaration_version]


async def sign_declaration(
    session: AsyncSession,
    principal: Principal,
    version: str,
    settings: BookingSettings,
    now: dt.datetime,
) -> SecurityDeclaration:
    """A researcher signs the current declaration (signing it again changes nothing)."""
    if version != settings.declaration_version:
        raise RuleViolation(
            f"version {version} is not the current declaration; sign "
            f"version {settings.declaration_version}",
            rule="declaration_version",
            current_version=settings.declaration_version,
        )
    researcher_id = principal.actor_id
    existing = await session.get(SecurityDeclaration, (researcher_id, version))
    if existing is not None:
        return existing
    signature = SecurityDeclaration(researcher_id=researcher_id, version=version, signed_at=now)
    session.add(signature)
    await session.flush()
    return signature


async def signed_declaration(
    session: AsyncSession, researcher_id: str, settings: BookingSettings
) -> SecurityDeclaration | None:
    """The researcher's signature of the current version, if any."""
    return await session.get(SecurityDeclaration, (researcher_id, settings.declaration_version))
