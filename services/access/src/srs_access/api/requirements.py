"""Dataset requirements: support sets the extra steps a catalogue entry requires of a
project (the Longitudinal Study's supplementary form)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from srs_access import catalogue
from srs_access.models import Dataset
from srs_access.schemas.catalogue import DatasetRead
from srs_access.schemas.requirements import DatasetRequirementsIn
from srs_common.auth import Principal, require_roles
from srs_common.db import SessionDep
from srs_common.errors import problem_responses

router = APIRouter(prefix="/v1", tags=["catalogue"])
Support = Annotated[Principal, Depends(require_roles("support"))]
DatasetId = Annotated[str, Path(max_length=100, examples=["ds-ons-ls"])]


@router.put(
    "/datasets/{dataset_id}/requirements",
    response_model=DatasetRead,
    summary="Set what a dataset requires of a project before approval (support); "
    "publishes dataset.catalogued",
    responses=problem_responses(401, 403, 404, 422),
)
async def set_requirements(
    dataset_id: DatasetId, body: DatasetRequirementsIn, session: SessionDep, _: Support
) -> Dataset:
    """Support replaces the dataset's requirements (an empty list removes them). Each is a
    supplementary form with its questions and the data-owner organisation that accepts it
    (the dataset's owner when `accepted_by` is left out); the catalogue entry is published
    again and the projects service turns each requirement into a task on every undecided
    application that asks for the dataset."""
    return await catalogue.set_requirements(
        session, dataset_id, [r.model_dump(mode="json") for r in body.requirements]
    )
