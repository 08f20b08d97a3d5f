"""Routes of the application: draft, read, list, edit, submit and resubmit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from srs_common.concurrency import etag_documented, set_etag
from srs_common.db import SessionDep
from srs_common.errors import problem_responses
from srs_common.pagination import Cursor, Limit, Page
from srs_projects import views, visibility
from srs_projects.applications import service
from srs_projects.applications.schemas import ProjectCreate, ProjectUpdate
from srs_projects.domain import ProjectStatus
from srs_projects.routing import AUTH, ProjectReader, Researcher
from srs_projects.schemas import ProjectRead, ProjectSummary

router = APIRouter(prefix="/v1/projects", tags=["projects"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ProjectRead,
    summary="Draft a project application (the caller, accredited, leads it)",
    responses=problem_responses(401, 403, 422),
)
async def create_project(
    data: ProjectCreate, session: SessionDep, principal: Researcher
) -> ProjectRead:
    """Creates a draft project application led by the caller, who must hold a current accreditation
    (422 names the rule otherwise). Answers the project (201)."""
    project = await service.create_project(session, principal, data)
    return await views.read(session, project)


@router.get(
    "",
    response_model=Page[ProjectSummary],
    summary="List the projects the caller may see",
    responses=problem_responses(401, 403, 422),
)
async def list_projects(
    session: SessionDep,
    principal: ProjectReader,
    status_: Annotated[ProjectStatus | None, Query(alias="status")] = None,
    q: Annotated[str | None, Query(max_length=200, description="part of the id or title")] = None,
    researcher_id: Annotated[
        str | None, Query(max_length=100, description="projects naming this member")
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ProjectSummary]:
    """Keyset pagination (`limit`, `cursor`): members see their projects, the panel and staff the
    ones their role reviews, partner clients (`projects:read`) their organisation's; `q` and
    `researcher_id` narrow that list, never widen it."""
    return await views.list_projects(
        session,
        principal,
        status=status_,
        limit=limit,
        cursor=cursor,
        q=q,
        member=researcher_id,
    )


@router.get(
    "/{project_id}",
    response_model=ProjectRead,
    summary="Read a project",
    responses=problem_responses(401, 403, 404, 422) | etag_documented(),
)
async def read_project(
    project_id: str, session: SessionDep, principal: ProjectReader, response: Response
) -> ProjectRead:
    """One project with its members and decisions, and the `ETag` the panel's and staff's
    writes take as `If-Match`. A project the caller may not see answers 404, like one that
    does not exist."""
    project = await visibility.visible_project(session, principal, project_id)
    version = await visibility.project_version(session, project)
    set_etag(response, *version)
    return await views.read(session, project, history=version[1])


@router.patch(
    "/{project_id}",
    response_model=ProjectRead,
    summary="Edit the application (lead; while a draft or sent back)",
    responses=problem_responses(*AUTH, 409, 422),
)
async def update_application(
    project_id: str, changes: ProjectUpdate, session: SessionDep, principal: Researcher
) -> ProjectRead:
    """The lead edits the application while it is a draft or sent back for information; any other
    status answers 409."""
    project = await service.update_application(session, principal, project_id, changes)
    return await views.read(session, project)


@router.post(
    "/{project_id}/submit",
    response_model=ProjectRead,
    summary="Submit a complete draft to the Research Accreditation Panel (lead)",
    responses=problem_responses(*AUTH, 409, 422),
)
async def submit_project(
    project_id: str, session: SessionDep, principal: Researcher
) -> ProjectRead:
    """The lead submits a complete draft to the panel; an incomplete one answers 422 naming what is
    missing."""
    return await views.read(session, await service.submit_project(session, principal, project_id))


@router.post(
    "/{project_id}/resubmit",
    response_model=ProjectRead,
    summary="Resubmit with the information the panel asked for (lead)",
    responses=problem_responses(*AUTH, 409, 422),
)
async def resubmit_project(
    project_id: str, session: SessionDep, principal: Researcher
) -> ProjectRead:
    """The lead sends the application back to the panel after answering its questions."""
    project = await service.submit_project(session, principal, project_id, resubmission=True)
    return await views.read(session, project)
