"""Consumed event type -> handler; each is safe to run twice."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.contracts import ProjectSpaceProvisioned, access, accreditation
from srs_common.contracts.accreditation import (
    AccreditationExpired,
    AccreditationGranted,
    AccreditationReinstated,
    AccreditationRenewed,
    AccreditationRevoked,
    AccreditationSuspended,
    ResearcherRegistered,
    ResearcherUpdated,
)
from srs_common.events.envelope import Event
from srs_projects import lifecycle, members, service


async def on_project_space_provisioned(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    assert isinstance(payload, ProjectSpaceProvisioned)
    await service.activate_project(session, payload.project_id, payload.provisioned_at)


async def on_accreditation_changed(session: AsyncSession, event: Event) -> None:
    """Every accreditation state event updates the read model (each accreditation held,
    newest event wins) and, through the best current one, the member's standing on every
    project. A lead left without a current accreditation by a revocation has their
    running projects suspended until support names a new lead."""
    payload = event.payload
    still_current = await members.apply_accreditation(session, payload)
    if isinstance(payload, AccreditationRevoked) and not still_current:
        await lifecycle.suspend_projects_led_by(session, payload.researcher_id, payload.occurred_at)


async def on_researcher_changed(session: AsyncSession, event: Event) -> None:
    """The researcher record decides their organisation (and so their projects')."""
    payload = event.payload
    assert isinstance(payload, ResearcherRegistered | ResearcherUpdated)
    await members.record_organisation(
        session,
        payload.researcher_id,
        payload.organisation_id,
        payload.occurred_at,
        from_researcher_record=True,
    )


HANDLERS = {
    ProjectSpaceProvisioned.type: on_project_space_provisioned,
    ResearcherRegistered.type: on_researcher_changed,
    ResearcherUpdated.type: on_researcher_changed,
    **{
        contract.type: on_accreditation_changed
        for contract in (
            AccreditationGranted,
            AccreditationRenewed,
            AccreditationExpired,
            AccreditationSuspended,
            AccreditationReinstated,
            AccreditationRevoked,
        )
    },
}
CONSUMED_TOPICS = [access.TOPIC, accreditation.TOPIC]
