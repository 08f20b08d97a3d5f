"""Consumed event type -> handler; each is safe to run twice."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.contracts import ProjectSpaceProvisioned
from srs_common.contracts import access, accreditation
from srs_common.contracts.accreditation import (
    AccreditationExpired,
    AccreditationGranted,
    AccreditationReinstated,
    AccreditationRenewed,
    AccreditationRevoked,
    AccreditationSuspended,
)
from srs_common.events.envelope import Event
from srs_projects import members, service


async def on_project_space_provisioned(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    assert isinstance(payload, ProjectSpaceProvisioned)
    await service.activate_project(session, payload.project_id, payload.provisioned_at)


async def on_accreditation_changed(session: AsyncSession, event: Event) -> None:
    """Every accreditation state event updates the read model (newest wins) and, through
    it, the member's standing on every project."""
    await members.apply_accreditation(session, event.payload)


HANDLERS = {
    ProjectSpaceProvisioned.type: on_project_space_provisioned,
    **{contract.type: on_accreditation_changed for contract in (
        AccreditationGranted, AccreditationRenewed, AccreditationExpired,
        AccreditationSuspended, AccreditationReinstated, AccreditationRevoked)},
}
CONSUMED_TOPICS = [access.TOPIC, accreditation.TOPIC]
