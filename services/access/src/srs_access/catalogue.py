"""Use cases for the dataset catalogue and organisations (never commit)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_access.domain import AccessLevel
from srs_access.models import Dataset, Organisation
from srs_common.contracts.access import DatasetCatalogued
from srs_common.db import utcnow
from srs_common.errors import Conflict, NotFound
from srs_common.events.outbox import publish


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
    await publish(
        session,
        DatasetCatalogued(
            dataset_id=dataset.id,
            title=title,
            owner=owner,
            access_level=access_level.name,
            disclosure_threshold=disclosure_threshold,
            operational_id_columns=list(operational_id_columns),
            occurred_at=utcnow(),
        ),
        subject=dataset.id,
    )
    return dataset


async def get_dataset(session: AsyncSession, dataset_id: str) -> Dataset:
    dataset = await session.get(Dataset, dataset_id)
    if dataset is None:
        raise NotFound(f"no dataset {dataset_id}")
    return dataset


async def list_datasets(
    session: AsyncSession, *, owner: str | None = None, after: str | None = None, limit: int = 50
) -> list[Dataset]:
    query = select(Dataset).order_by(Dataset.id).limit(limit)
    if owner is not None:
        query = query.where(Dataset.owner == owner)
    if after is not None:
        query = query.where(Dataset.id > after)
    return list((await session.execute(query)).scalars())


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
