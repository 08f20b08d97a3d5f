"""Routes of the projects API: parse, authorise, call the service layer, shape."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from srs_common.auth import CurrentPrincipal, Principal, require_roles
from srs_common.db import SessionDep
from srs_projects import service
from srs_projects.schemas import ProjectCreate, ProjectDecision, ProjectRead

router = APIRouter(prefix="/v1/projects", tags=["projects"])

Researcher = Annotated[Principal, Depends(require_roles("researcher"))]
Panel = Annotated[Principal, Depends(require_roles("panel"))]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProjectRead,
             summary="Draft a project application (the caller leads it)")
async def create_project(data: ProjectCreate, session: SessionDep, principal: Researcher):
    return await service.create_project(session, principal, data)


@router.get("/{project_id}", response_model=ProjectRead, summary="Read a project",
            responses={404: {"description": "no such project, or not yours to see"}})
async def read_project(project_id: str, session: SessionDep, principal: CurrentPrincipal):
    return await service.visible_project(session, principal, project_id)


@router.post("/{project_id}/submit", response_model=ProjectRead,
             summary="Submit a draft for panel review (lead researcher)",
             responses={409: {"description": "not a draft"}})
async def submit_project(project_id: str, session: SessionDep, principal: Researcher):
    return await service.submit_project(session, principal, project_id)


@router.post("/{project_id}/approve", response_model=ProjectRead,
             summary="Approve a submitted project (Research Accreditation Panel)",
             responses={409: {"description": "not awaiting a decision"}})
async def approve_project(project_id: str, decision: ProjectDecision, session: SessionDep,
                          principal: Panel):
    return await service.approve_project(session, principal, project_id, decision)
