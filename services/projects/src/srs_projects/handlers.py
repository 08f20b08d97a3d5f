"""The consumed contracts and their handlers; each is safe to run twice."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.contracts import ProjectSpaceProvisioned
from srs_common.contracts.access import DatasetCatalogued
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
from srs_common.events.handlers import Handlers
from srs_projects.applications.service import activate_project, activate_projects
from srs_projects.lifecycle.suspension import suspend_projects_led_by
from srs_projects.linkage import requests as linked_dataset_requests
from srs_projects.members import researchers, standing
from srs_projects.requirements import service as dataset_requirements

HANDLERS = Handlers()


@HANDLERS.on(ProjectSpaceProvisioned)
async def on_project_space_provisioned(
    session: AsyncSession, event: Event, payload: ProjectSpaceProvisioned
) -> None:
    await activate_project(session, payload.project_id, payload.provisioned_at)


@HANDLERS.on_many(ProjectSpaceProvisioned)
async def on_project_spaces_provisioned(
    session: AsyncSession, events: Sequence[tuple[Event, ProjectSpaceProvisioned]]
) -> None:
    """A run of provisioned spaces (a burst of approvals): activated together."""
    await activate_projects(
        session, [(p.project_id, p.provisioned_at, event.correlation_id) for event, p in events]
    )


@HANDLERS.on(
    AccreditationGranted,
    AccreditationRenewed,
    AccreditationExpired,
    AccreditationSuspended,
    AccreditationReinstated,
    AccreditationRevoked,
)
async def on_accreditation_changed(
    session: AsyncSession, event: Event, payload: researchers.AccreditationState
) -> None:
    """Every accreditation state event updates the read model (each accreditation held,
    newest event wins) and, through the best current one, the member's standing on every
    project. A lead left without a current accreditation by a revocation has their
    running projects suspended until support names a new lead."""
    still_current = await standing.apply_accreditation(session, payload)
    if isinstance(payload, AccreditationRevoked) and not still_current:
        await suspend_projects_led_by(session, payload.researcher_id, payload.occurred_at)


@HANDLERS.on(ResearcherRegistered, ResearcherUpdated)
async def on_researcher_changed(
    session: AsyncSession, event: Event, payload: ResearcherRegistered | ResearcherUpdated
) -> None:
    """The researcher record decides their organisation (and so their projects') and the
    name shown for them as a member."""
    await researchers.record_organisation(
        session,
        payload.researcher_id,
        payload.organisation_id,
        payload.occurred_at,
        from_researcher_record=True,
        name=payload.name,
    )


@HANDLERS.on(DatasetCatalogued)
async def on_dataset_catalogued(
    session: AsyncSession, event: Event, payload: DatasetCatalogued
) -> None:
    """The catalogue's titles and data owners, for linked dataset requests, and its
    requirements, which become tasks on the applications asking for the dataset."""
    await linked_dataset_requests.record_dataset(
        session, payload.dataset_id, payload.title, payload.owner, payload.occurred_at
    )
    await dataset_requirements.record_catalogued(session, payload)


CONSUMED_TOPICS = HANDLERS.topics
