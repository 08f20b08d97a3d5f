"""Dataset catalogue (support maintains, everyone signed in browses) and organisations."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy import select

from srs_access import catalogue
from srs_access.domain import AccessLevel, agreement_current
from srs_access.models import Dataset, Organisation
from srs_access.schemas.catalogue import (
    DatasetCreate,
    DatasetFields,
    DatasetRead,
    OrganisationCreate,
    OrganisationFields,
    OrganisationRead,
)
from srs_common.auth import CurrentPrincipal, Principal, require_roles
from srs_common.concurrency import Versioned, etag_documented, set_etag
from srs_common.context import Now
from srs_common.db import SessionDep
from srs_common.errors import NotFound, problem_responses
from srs_common.pagination import Cursor, Limit, Page

router = APIRouter(prefix="/v1", tags=["catalogue"])
Support = Annotated[Principal, Depends(require_roles("support"))]
DatasetId = Annotated[str, Path(max_length=100, examples=["ds-ashe-2021"])]
OrganisationId = Annotated[str, Path(max_length=100, examples=["org-ntu"])]


@router.get(
    "/datasets",
    response_model=Page[DatasetRead],
    summary="Browse the dataset catalogue",
    responses=problem_responses(401, 422),
)
async def list_datasets(
    session: SessionDep,
    _: CurrentPrincipal,
    limit: Limit = 50,
    cursor: Cursor = None,
    owner: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[DatasetRead]:
    """Every catalogued dataset with its owner, access level and disclosure threshold."""
    page = await catalogue.list_datasets(session, owner=owner, limit=limit, cursor=cursor)
    return page.map(DatasetRead.model_validate)


@router.get(
    "/datasets/{dataset_id}",
    response_model=DatasetRead,
    summary="One dataset",
    responses=problem_responses(401, 404, 422) | etag_documented(),
)
async def read_dataset(
    dataset_id: DatasetId, session: SessionDep, _: CurrentPrincipal, response: Response
) -> Dataset:
    """One dataset of the catalogue, with its `ETag`."""
    dataset = await catalogue.get_dataset(session, dataset_id)
    set_etag(response, dataset)
    return dataset


@router.post(
    "/datasets",
    response_model=DatasetRead,
    status_code=201,
    summary="Catalogue a dataset (support); publishes dataset.catalogued",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_dataset(body: DatasetCreate, session: SessionDep, _: Support) -> Dataset:
    """Support catalogues a new dataset (201); the `dataset.catalogued` event tells the other
    services."""
    return await catalogue.catalogue_dataset(
        session,
        dataset_id=body.id,
        title=body.title,
        owner=body.owner,
        access_level=AccessLevel[body.access_level],
        disclosure_threshold=body.disclosure_threshold,
        operational_id_columns=body.operational_id_columns,
        create=True,
    )


@router.put(
    "/datasets/{dataset_id}",
    response_model=DatasetRead,
    summary="Change a dataset's settings (support); publishes dataset.catalogued",
    responses=problem_responses(401, 403, 404, 412, 422) | etag_documented(),
)
async def update_dataset(
    dataset_id: DatasetId,
    body: DatasetFields,
    session: SessionDep,
    _: Support,
    versioned: Versioned,
) -> Dataset:
    """Support changes a dataset's settings (access level, threshold, identifying columns);
    published again as `dataset.catalogued`. A stale `If-Match` is 412."""
    locked = await versioned.lock(session, select(Dataset).where(Dataset.id == dataset_id))
    versioned.require(f"dataset {dataset_id}", locked)
    dataset = await catalogue.catalogue_dataset(
        session,
        dataset_id=dataset_id,
        title=body.title,
        owner=body.owner,
        access_level=AccessLevel[body.access_level],
        disclosure_threshold=body.disclosure_threshold,
        operational_id_columns=body.operational_id_columns,
        create=False,
    )
    await versioned.tag(session, dataset)
    return dataset


def _organisation_read(organisation: Organisation, now: dt.datetime) -> OrganisationRead:
    return OrganisationRead(
        id=organisation.id,
        name=organisation.name,
        contact_email=organisation.contact_email,
        aoc_certified_until=organisation.aoc_certified_until,
        legacy_remote_access=organisation.legacy_remote_access,
        agreement_current=agreement_current(
            organisation.aoc_certified_until, organisation.legacy_remote_access, now.date()
        ),
    )


@router.get(
    "/organisations",
    response_model=list[OrganisationRead],
    summary="Organisations and their agreements (support, ops)",
    responses=problem_responses(401, 403),
)
async def list_organisations(
    session: SessionDep,
    _: Annotated[Principal, Depends(require_roles("support", "ops"))],
    now: Now,
) -> list[OrganisationRead]:
    """Every organisation with its agreement (Assured Organisational Connectivity) and whether it
    is current. Roles support and ops."""
    rows = (await session.execute(select(Organisation).order_by(Organisation.id))).scalars()
    return [_organisation_read(o, now) for o in rows]


@router.get(
    "/organisations/{organisation_id}",
    response_model=OrganisationRead,
    summary="One organisation (staff, or its own people and partner client)",
    responses=problem_responses(401, 404, 422) | etag_documented(),
)
async def read_organisation(
    organisation_id: OrganisationId,
    session: SessionDep,
    principal: CurrentPrincipal,
    now: Now,
    response: Response,
) -> OrganisationRead:
    """One organisation with its agreement. Staff, its own people and its partner client may read
    it; anyone else gets 404."""
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None or not (
        principal.has("support", "ops") or principal.org == organisation_id
    ):
        raise NotFound(f"no organisation {organisation_id}")
    set_etag(response, organisation)
    return _organisation_read(organisation, now)


@router.post(
    "/organisations",
    response_model=OrganisationRead,
    status_code=201,
    summary="Register an organisation (support)",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_organisation(
    body: OrganisationCreate, session: SessionDep, _: Support, now: Now
) -> OrganisationRead:
    """Support registers an organisation (201); 409 if the id is taken."""
    values = body.model_dump(exclude={"id"})
    return _organisation_read(
        await catalogue.save_organisation(session, body.id, create=True, **values), now
    )


@router.put(
    "/organisations/{organisation_id}",
    response_model=OrganisationRead,
    summary="Change an organisation's agreement or contact (support)",
    responses=problem_responses(401, 403, 404, 412, 422) | etag_documented(),
)
async def update_organisation(
    organisation_id: OrganisationId,
    body: OrganisationFields,
    session: SessionDep,
    _: Support,
    now: Now,
    versioned: Versioned,
) -> OrganisationRead:
    """Support changes an organisation's agreement dates or contact. A stale `If-Match` is
    412."""
    locked = await versioned.lock(
        session, select(Organisation).where(Organisation.id == organisation_id)
    )
    versioned.require(f"organisation {organisation_id}", locked)
    organisation = await catalogue.save_organisation(
        session, organisation_id, create=False, **body.model_dump()
    )
    await versioned.tag(session, organisation)
    return _organisation_read(organisation, now)
