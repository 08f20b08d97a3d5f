"""Routes of linkage: the SRS team's IDBR matching tasks and requests for new linked
datasets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from srs_common.context import Now
from srs_common.db import SessionDep
from srs_common.errors import problem_responses
from srs_common.pagination import Cursor, Limit, Page
from srs_projects.linkage import requests, tasks
from srs_projects.linkage.rules import LinkageState, RequestState
from srs_projects.linkage.schemas import (
    Assessment,
    LinkageTaskRead,
    LinkedDatasetRequestCreate,
    LinkedDatasetRequestRead,
    Outcome,
    TaskFailure,
    TaskOutcome,
)
from srs_projects.routing import AUTH, ProjectReader, Researcher, Support

router = APIRouter(tags=["linkage"])


@router.get(
    "/v1/linkage-tasks",
    response_model=Page[LinkageTaskRead],
    summary="List IDBR matching tasks (support: all; researchers: their projects')",
    responses=problem_responses(401, 403, 422),
)
async def list_linkage_tasks(
    session: SessionDep,
    principal: ProjectReader,
    status_: Annotated[LinkageState | None, Query(alias="status")] = None,
    project_id: Annotated[str | None, Query(max_length=40)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[LinkageTaskRead]:
    """Oldest first, the queue the SRS team works through; a researcher sees only the
    tasks of projects they are named on."""
    return await tasks.list_tasks(
        session, principal, status=status_, project_id=project_id, limit=limit, cursor=cursor
    )


@router.get(
    "/v1/linkage-tasks/{task_id}",
    response_model=LinkageTaskRead,
    summary="Read an IDBR matching task",
    responses=problem_responses(*AUTH),
)
async def read_linkage_task(
    task_id: str, session: SessionDep, principal: ProjectReader
) -> LinkageTaskRead:
    """A task the caller may not see answers 404, like one that does not exist."""
    return await tasks.read_task(session, principal, task_id)


@router.post(
    "/v1/linkage-tasks/{task_id}/start",
    response_model=LinkageTaskRead,
    summary="Take an IDBR matching task on (support)",
    responses=problem_responses(*AUTH, 409),
)
async def start_linkage_task(
    task_id: str, session: SessionDep, principal: Support, now: Now
) -> LinkageTaskRead:
    """pending -> in_progress; any other state answers 409 naming it."""
    await tasks.start(session, principal, task_id, now)
    return await tasks.read_task(session, principal, task_id)


@router.post(
    "/v1/linkage-tasks/{task_id}/complete",
    response_model=LinkageTaskRead,
    summary="Record the matching's outcome (support)",
    responses=problem_responses(*AUTH, 409),
)
async def complete_linkage_task(
    task_id: str, body: TaskOutcome, session: SessionDep, principal: Support, now: Now
) -> LinkageTaskRead:
    """in_progress -> completed with the matched and unmatched counts; the de-identified
    extract is then mapped into the project space and the lead is told."""
    await tasks.complete(session, principal, task_id, body, now)
    return await tasks.read_task(session, principal, task_id)


@router.post(
    "/v1/linkage-tasks/{task_id}/fail",
    response_model=LinkageTaskRead,
    summary="Record that the matching cannot be done, with the reason (support)",
    responses=problem_responses(*AUTH, 409),
)
async def fail_linkage_task(
    task_id: str, body: TaskFailure, session: SessionDep, principal: Support, now: Now
) -> LinkageTaskRead:
    """pending or in_progress -> failed; the lead is told the reason."""
    await tasks.fail(session, principal, task_id, body.reason, now)
    return await tasks.read_task(session, principal, task_id)


@router.post(
    "/v1/linked-dataset-requests",
    status_code=status.HTTP_201_CREATED,
    response_model=LinkedDatasetRequestRead,
    summary="Ask ONS for a new linked dataset (researcher)",
    responses=problem_responses(401, 403, 404, 422),
)
async def create_linked_dataset_request(
    body: LinkedDatasetRequestCreate, session: SessionDep, principal: Researcher, now: Now
) -> LinkedDatasetRequestRead:
    """The source datasets must be catalogued (422 names the unknown ones); a
    ``project_id`` must be a project the caller leads."""
    return await requests.read(session, await requests.create(session, principal, body, now))


@router.get(
    "/v1/linked-dataset-requests",
    response_model=Page[LinkedDatasetRequestRead],
    summary="List linked dataset requests (support: all; researchers: their own)",
    responses=problem_responses(401, 403, 422),
)
async def list_linked_dataset_requests(
    session: SessionDep,
    principal: ProjectReader,
    status_: Annotated[RequestState | None, Query(alias="status")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[LinkedDatasetRequestRead]:
    """Oldest first, narrowed by status."""
    return await requests.list_requests(
        session, principal, status=status_, limit=limit, cursor=cursor
    )


@router.get(
    "/v1/linked-dataset-requests/{request_id}",
    response_model=LinkedDatasetRequestRead,
    summary="Read a linked dataset request",
    responses=problem_responses(*AUTH),
)
async def read_linked_dataset_request(
    request_id: str, session: SessionDep, principal: ProjectReader
) -> LinkedDatasetRequestRead:
    """Someone else's request answers 404, like one that does not exist."""
    return await requests.read_one(session, principal, request_id)


@router.post(
    "/v1/linked-dataset-requests/{request_id}/assessment",
    response_model=LinkedDatasetRequestRead,
    summary="Assess the four factors (support)",
    responses=problem_responses(*AUTH, 409),
)
async def assess_linked_dataset_request(
    request_id: str, body: Assessment, session: SessionDep, principal: Support, now: Now
) -> LinkedDatasetRequestRead:
    """User need, one answer per data owner of the source datasets (422 names a missing
    or unknown owner), feasibility and ONS resource; may be revised until decided."""
    request = await requests.assess(session, principal, request_id, body, now)
    return await requests.read(session, request)


@router.post(
    "/v1/linked-dataset-requests/{request_id}/decision",
    response_model=LinkedDatasetRequestRead,
    summary="Agree or decline a linked dataset request, with reasons (support)",
    responses=problem_responses(*AUTH, 409),
)
async def decide_linked_dataset_request(
    request_id: str, body: Outcome, session: SessionDep, principal: Support, now: Now
) -> LinkedDatasetRequestRead:
    """Agreement needs the assessment, every data owner's support, a need that is not
    weak, a feasible linkage and ONS resource (422 names the rule); the agreed dataset
    joins the access catalogue. Deciding twice answers 409."""
    request = await requests.decide(session, principal, request_id, body, now)
    return await requests.read(session, request)
