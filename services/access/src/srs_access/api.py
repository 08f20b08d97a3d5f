"""Routes of the access API."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import select

from srs_common.auth import CurrentPrincipal, require_roles
from srs_common.db import SessionDep
from srs_access import service
from srs_access.models import Dataset
from srs_access.schemas import DatasetRead, ProjectSpaceRead

router = APIRouter(prefix="/v1", tags=["access"])


@router.get("/datasets", response_model=list[DatasetRead], summary="Browse the dataset catalogue")
async def list_datasets(session: SessionDep, _: CurrentPrincipal):
    return (await session.execute(select(Dataset).order_by(Dataset.id))).scalars().all()


@router.get("/project-spaces/{project_id}", response_model=ProjectSpaceRead,
            summary="A project's space and its mapped datasets (service staff)",
            dependencies=[Depends(require_roles("support", "ops"))])
async def read_project_space(project_id: str, session: SessionDep):
    return await service.get_project_space(session, project_id)
