"""A researcher's own profile: registration, edits and the list others may see."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_accreditation.models import Researcher
from srs_accreditation.researchers.events import profile_event
from srs_accreditation.researchers.organisation import (
    identity_organisation,
    refuse_other_organisation,
)
from srs_accreditation.researchers.visibility import own_researcher_id, researcher_visible_to
from srs_accreditation.schemas import ResearcherCreate, ResearcherUpdate
from srs_common.auth import Principal
from srs_common.contracts.accreditation import ResearcherRegistered, ResearcherUpdated
from srs_common.db import utcnow
from srs_common.errors import Conflict, Forbidden, NotFound
from srs_common.events.outbox import publish
from srs_common.pagination import keyset_page


async def register_researcher(
    session: AsyncSession, principal: Principal, data: ResearcherCreate
) -> Researcher:
    """A researcher registers their own profile, under their token's ``researcher_id`` and
    at their token's organisation."""
    researcher_id = own_researcher_id(principal)
    # A self-service account whose e-mail address is not confirmed yet (OpenID Connect's
    # email_verified claim: false; absent for accounts the provider did not ask about).
    if principal.claims.get("email_verified") is False:
        raise Forbidden(
            "confirm your e-mail address first: follow the link e-mailed to you when you "
            "created your account (the portal sends a new one on request)"
        )
    organisation_id = identity_organisation(principal)
    refuse_other_organisation(data.organisation_id, organisation_id)
    if await session.get(Researcher, researcher_id) is not None:
        raise Conflict(f"researcher {researcher_id} is already registered")
    now = utcnow()
    researcher = Researcher(
        id=researcher_id,
        name=data.name,
        email=str(data.email),
        organisation_id=organisation_id,
        qualifications=data.qualifications.model_dump(),
        created_at=now,
        updated_at=now,
    )
    session.add(researcher)
    await session.flush()
    await publish(session, profile_event(ResearcherRegistered, researcher), subject=researcher.id)
    return researcher


async def update_researcher(
    session: AsyncSession, principal: Principal, researcher_id: str, data: ResearcherUpdate
) -> Researcher:
    """A researcher edits their own profile (not their organisation); every change is
    published."""
    researcher = await session.get(Researcher, researcher_id, with_for_update=True)
    if researcher is None or principal.researcher_id != researcher.id:
        raise NotFound(f"researcher {researcher_id} not found")
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    refuse_other_organisation(changes.pop("organisation_id", None), researcher.organisation_id)
    if "email" in changes:
        changes["email"] = str(changes["email"])
    changes = {k: v for k, v in changes.items() if getattr(researcher, k) != v}
    if not changes:
        return researcher  # nothing changed: nothing to publish
    for field, value in changes.items():
        setattr(researcher, field, value)
    researcher.updated_at = utcnow()
    await session.flush()
    await publish(session, profile_event(ResearcherUpdated, researcher), subject=researcher.id)
    return researcher


async def list_researchers(
    session: AsyncSession,
    principal: Principal,
    *,
    limit: int,
    cursor: str | None,
    q: str | None = None,
) -> tuple[list[Researcher], str | None]:
    """Support sees every researcher; a partner only its organisation's; others only themself.
    ``q`` keeps those whose id, name or e-mail contains it (any case)."""
    stmt = select(Researcher).where(researcher_visible_to(principal))
    if q:
        needle = q.lower()
        stmt = stmt.where(
            func.lower(Researcher.id).contains(needle, autoescape=True)
            | func.lower(Researcher.name).contains(needle, autoescape=True)
            | func.lower(Researcher.email).contains(needle, autoescape=True)
        )
    page = await keyset_page(session, stmt, [Researcher.id], cursor=cursor, limit=limit)
    return page.items, page.next
