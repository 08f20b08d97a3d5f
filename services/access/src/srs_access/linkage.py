"""Linkage results arriving from the projects service: a project's IDBR linked extract
is mapped into its space, and an agreed linked dataset joins the catalogue for every
project to ask for. Both handlers are safe to run twice (keyed by the extract's and the
dataset's ids) and record what they did in the audit log."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_access import catalogue
from srs_access.domain import AccessLevel
from srs_access.models import Dataset, LinkedExtract, audit_log
from srs_common.contracts.linkage import LinkageTaskCompleted, LinkedDatasetDecided

# Who the audit log names for what the service does on an event's behalf.
ACTOR = "access"
# A linked dataset created by ONS from several owners' data is ONS's to hold.
LINKED_DATASET_OWNER = "ONS"


async def map_extract(session: AsyncSession, done: LinkageTaskCompleted) -> None:
    """Map the task's de-identified extract into the project's space (once)."""
    if await session.get(LinkedExtract, done.extract_id) is not None:
        return
    session.add(
        LinkedExtract(
            id=done.extract_id,
            project_id=done.project_id,
            task_id=done.task_id,
            title=done.extract_title,
            method=done.method,
            matched_count=done.matched_count,
            unmatched_count=done.unmatched_count,
            mapped_at=done.occurred_at,
        )
    )
    await audit_log.append(
        session,
        actor=ACTOR,
        action="linked_extract.mapped",
        outcome="mapped",
        occurred_at=done.occurred_at,
        subject=("project_space", done.project_id),
        project_id=done.project_id,
        detail={"extract_id": done.extract_id, "task_id": done.task_id},
    )
    await session.flush()


async def extracts_of(session: AsyncSession, project_id: str) -> list[LinkedExtract]:
    rows = await session.execute(
        select(LinkedExtract)
        .where(LinkedExtract.project_id == project_id)
        .order_by(LinkedExtract.mapped_at, LinkedExtract.id)
    )
    return list(rows.scalars())


def linked_settings(sources: list[Dataset]) -> tuple[AccessLevel, int, str]:
    """A linked dataset is as restricted as its most restricted source (the lowest
    access level, the highest disclosure threshold); its owner is the sources' one
    owner, or ONS when several owners' data are linked."""
    if not sources:
        return AccessLevel.safe_setting, 10, LINKED_DATASET_OWNER
    owners = {d.owner for d in sources}
    return (
        AccessLevel(min(d.access_level for d in sources)),
        max(d.disclosure_threshold for d in sources),
        owners.pop() if len(owners) == 1 else LINKED_DATASET_OWNER,
    )


async def catalogue_linked_dataset(session: AsyncSession, decided: LinkedDatasetDecided) -> None:
    """An agreed linked dataset joins the catalogue (once; a declined one changes nothing)."""
    if decided.outcome != "agreed" or decided.dataset_id is None:
        return
    if await session.get(Dataset, decided.dataset_id) is not None:
        return
    sources = list(
        (
            await session.execute(select(Dataset).where(Dataset.id.in_(decided.source_dataset_ids)))
        ).scalars()
    )
    level, threshold, owner = linked_settings(sources)
    await catalogue.catalogue_dataset(
        session,
        dataset_id=decided.dataset_id,
        title=decided.title,
        owner=owner,
        access_level=level,
        disclosure_threshold=threshold,
        operational_id_columns=[],
        create=True,
    )
    await audit_log.append(
        session,
        actor=ACTOR,
        action="dataset.linked_catalogued",
        outcome="catalogued",
        occurred_at=decided.occurred_at,
        subject=("dataset", decided.dataset_id),
        researcher_id=decided.requested_by,
        detail={"request_id": decided.request_id, "sources": decided.source_dataset_ids},
    )
