"""A researcher's organisation: set from the verified identity, changed only by support."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_accreditation.models import OrganisationChange, Researcher, audit_log
from srs_accreditation.researchers.events import profile_event
from srs_accreditation.schemas import OrganisationChangeCreate
from srs_common.auth import Principal
from srs_common.contracts.accreditation import ResearcherUpdated
from srs_common.db import utcnow
from srs_common.errors import Conflict, Forbidden, NotFound, RuleViolation
from srs_common.events.outbox import publish


def identity_organisation(principal: Principal) -> str:
    """The organisation of the caller's verified identity (the token's ``org`` claim)."""
    if not principal.org:
        raise Forbidden(
            "the token carries no organisation (org claim): a researcher's "
            "organisation comes from their verified identity"
        )
    return principal.org


def refuse_other_organisation(requested: str | None, organisation_id: str) -> None:
    """A body may repeat the researcher's organisation, never name another: it comes from
    the verified identity at registration and only support changes it afterwards."""
    if requested is not None and requested != organisation_id:
        raise RuleViolation(
            f"organisation_id {requested} is not the researcher's organisation "
            f"({organisation_id}): it comes from the verified identity, and only support "
            "changes it",
            rule="organisation_from_identity",
        )


async def change_organisation(
    session: AsyncSession, principal: Principal, researcher_id: str, data: OrganisationChangeCreate
) -> Researcher:
    """Support moves a researcher to another organisation, with a reason: recorded in the
    researcher's organisation history and published (``researcher.updated``)."""
    researcher = await session.get(Researcher, researcher_id, with_for_update=True)
    if researcher is None:
        raise NotFound(f"researcher {researcher_id} not found")
    if researcher.organisation_id == data.organisation_id:
        raise Conflict(
            f"researcher {researcher_id} is already of organisation {data.organisation_id}"
        )
    now = utcnow()
    session.add(
        OrganisationChange(
            researcher_id=researcher.id,
            from_organisation_id=researcher.organisation_id,
            to_organisation_id=data.organisation_id,
            changed_by=principal.sub,
            reason=data.reason,
            changed_at=now,
        )
    )
    await audit_log.append(
        session,
        actor=principal.actor_id,
        action="researcher.change_organisation",
        outcome="changed",
        occurred_at=now,
        subject=("researcher", researcher.id),
        researcher_id=researcher.id,
        detail={
            "from": researcher.organisation_id,
            "to": data.organisation_id,
            "reason": data.reason,
        },
    )
    researcher.organisation_id = data.organisation_id
    researcher.updated_at = now
    await session.flush()
    await publish(session, profile_event(ResearcherUpdated, researcher), subject=researcher.id)
    return researcher


async def organisation_changes(
    session: AsyncSession, researcher_id: str
) -> list[OrganisationChange]:
    """A researcher's organisation history, oldest first (support)."""
    if await session.get(Researcher, researcher_id) is None:
        raise NotFound(f"researcher {researcher_id} not found")
    return list(
        (
            await session.execute(
                select(OrganisationChange)
                .where(OrganisationChange.researcher_id == researcher_id)
                .order_by(OrganisationChange.id)
            )
        ).scalars()
    )
