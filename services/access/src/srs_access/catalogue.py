"""Use cases for the dataset catalogue and organisations (never commit)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_access.domain import LEVEL_NAMES, AccessLevel
from srs_access.models import Dataset, Organisation
from srs_common.contracts.access import DatasetCatalogued, DatasetRequirement
from srs_common.db import utcnow
from srs_common.errors import Conflict, NotFound
from srs_common.events.outbox import publish
from srs_common.pagination import Page, keyset_page


async def catalogue_dataset(
    session: AsyncSession,
    *,
    dataset_id: str,
    title: str,
    owner: str,
    access_level: AccessLevel,
    disclosure_threshold: int,
    operational_id_columns: list[str],
    create: bool,
) -> Dataset:
    """Add a dataset to the catalogue (``create``) or change its settings, and tell the
    booking and clearance services (``dataset.catalogued``) its access level and
    disclosure threshold. The seed goes through here too."""
    dataset = await session.get(Dataset, dataset_id)
    if create and dataset is not None:
        raise Conflict(f"dataset {dataset_id} is already catalogued")
    if not create and dataset is None:
        raise NotFound(f"no dataset {dataset_id}")
    if dataset is None:
        dataset = Dataset(id=dataset_id)
        session.add(dataset)
    dataset.title = title
    dataset.owner = owner
    dataset.access_level = int(access_level)
    dataset.disclosure_threshold = disclosure_threshold
    dataset.operational_id_columns = list(operational_id_columns)
    await session.flush()
    await _publish_catalogued(session, dataset)
    return dataset


async def _publish_catalogued(session: AsyncSession, dataset: Dataset) -> None:
    """Tell the other services the dataset's whole catalogue entry (``dataset.catalogued``)."""
    await publish(
        session,
        DatasetCatalogued(
            dataset_id=dataset.id,
            title=dataset.title,
            owner=dataset.owner,
            access_level=LEVEL_NAMES[AccessLevel(dataset.access_level)],
            disclosure_threshold=dataset.disclosure_threshold,
            operational_id_columns=list(dataset.operational_id_columns),
            requirements=[DatasetRequirement.model_validate(r) for r in dataset.requirements or []],
            occurred_at=utcnow(),
        ),
        subject=dataset.id,
    )


async def set_requirements(
    session: AsyncSession, dataset_id: str, requirements: list[dict[str, Any]]
) -> Dataset:
    """Support sets the extra steps a dataset requires of a project (the whole list; a
    requirement's team defaults to the dataset's owner) and the catalogue entry is
    published again: the projects service turns each into a task on the applications
    that ask for the dataset."""
    dataset = await session.get(Dataset, dataset_id, with_for_update=True)
    if dataset is None:
        raise NotFound(f"no dataset {dataset_id}")
    dataset.requirements = [
        DatasetRequirement.model_validate(
            {**r, "accepted_by": r.get("accepted_by") or dataset.owner}
        ).model_dump(mode="json")
        for r in requirements
    ]
    await session.flush()
    await _publish_catalogued(session, dataset)
    return dataset


async def get_dataset(session: AsyncSession, dataset_id: str) -> Dataset:
    dataset = await session.get(Dataset, dataset_id)
    if dataset is None:
        raise NotFound(f"no dataset {dataset_id}")
    return dataset


async def list_datasets(
    session: AsyncSession, *, owner: str | None, limit: int, cursor: str | None
) -> Page[Any]:
    """The catalogue by dataset id, optionally one owner's."""
    query = select(Dataset)
    if owner is not None:
        query = query.where(Dataset.owner == owner)
    return await keyset_page(session, query, [Dataset.id], cursor=cursor, limit=limit)


async def save_organisation(
    session: AsyncSession, organisation_id: str, *, create: bool, **values: object
) -> Organisation:
    """Register an organisation or change its agreement and contact."""
    organisation = await session.get(Organisation, organisation_id)
    if create and organisation is not None:
        raise Conflict(f"organisation {organisation_id} already exists")
    if not create and organisation is None:
        raise NotFound(f"no organisation {organisation_id}")
    if organisation is None:
        organisation = Organisation(id=organisation_id, legacy_remote_access=False)
        session.add(organisation)
    for name, value in values.items():
        setattr(organisation, name, value)
    await session.flush()
    return organisation
