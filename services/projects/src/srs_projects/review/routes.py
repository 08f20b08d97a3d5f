"""Routes of the panel's review."""

from __future__ import annotations

from fastapi import APIRouter

from srs_common.concurrency import Versioned, etag_documented
from srs_common.db import SessionDep
from srs_common.errors import problem_responses
from srs_projects import views, visibility
from srs_projects.review import service
from srs_projects.review.schemas import PriorityDecision, ProjectDecision
from srs_projects.routing import AUTH, Panel
from srs_projects.schemas import ProjectRead, Reason

router = APIRouter(prefix="/v1/projects", tags=["projects"])


@router.post(
    "/{project_id}/review",
    response_model=ProjectRead,
    summary="Take a submitted application under review (panel)",
    responses=problem_responses(*AUTH, 409, 412) | etag_documented(),
)
async def start_review(
    project_id: str, session: SessionDep, principal: Panel, versioned: Versioned
) -> ProjectRead:
    """The panel takes a submitted application under review; only an application under review can
    be decided."""
    await visibility.lock_current_project(session, principal, project_id, versioned)
    project = await service.start_review(session, principal, project_id)
    return await views.tagged(session, project, versioned)


@router.post(
    "/{project_id}/request-information",
    response_model=ProjectRead,
    summary="Send the application back to the lead with questions (panel)",
    responses=problem_responses(*AUTH, 409, 412, 422) | etag_documented(),
)
async def request_information(
    project_id: str, body: Reason, session: SessionDep, principal: Panel, versioned: Versioned
) -> ProjectRead:
    """The panel sends the application back to the lead with its questions; the lead edits and
    resubmits."""
    await visibility.lock_current_project(session, principal, project_id, versioned)
    project = await service.request_information(session, principal, project_id, body.reason)
    return await views.tagged(session, project, versioned)


@router.post(
    "/{project_id}/approve",
    response_model=ProjectRead,
    summary="Approve an application under review, optionally with conditions (panel)",
    responses=problem_responses(*AUTH, 409, 412, 422) | etag_documented(),
)
async def approve_project(
    project_id: str,
    decision: ProjectDecision,
    session: SessionDep,
    principal: Panel,
    versioned: Versioned,
) -> ProjectRead:
    """The panel approves an application under review, optionally with conditions the lead reads;
    the approval is published and the project space is provisioned from it."""
    await visibility.lock_current_project(session, principal, project_id, versioned)
    approval = await service.approve_project(session, principal, project_id, decision)
    return await views.tagged(
        session,
        approval.project,
        versioned,
        members=approval.members,
        requirements=approval.requirements,
    )


@router.post(
    "/{project_id}/priority",
    response_model=ProjectRead,
    summary="Grant or withhold priority between submission and decision (panel)",
    responses=problem_responses(*AUTH, 409, 412, 422) | etag_documented(),
)
async def decide_priority(
    project_id: str,
    body: PriorityDecision,
    session: SessionDep,
    principal: Panel,
    versioned: Versioned,
) -> ProjectRead:
    """The panel grants or withholds the priority the lead asked for, while the application is
    submitted or under review; priority projects go first in the checkers' queue."""
    await visibility.lock_current_project(session, principal, project_id, versioned)
    project = await service.decide_priority(session, principal, project_id, body)
    return await views.tagged(session, project, versioned)


@router.post(
    "/{project_id}/reject",
    response_model=ProjectRead,
    summary="Reject an application under review, with reasons (panel)",
    responses=problem_responses(*AUTH, 409, 412, 422) | etag_documented(),
)
async def reject_project(
    project_id: str, body: Reason, session: SessionDep, principal: Panel, versioned: Versioned
) -> ProjectRead:
    """The panel rejects an application under review, with reasons; an event is published."""
    await visibility.lock_current_project(session, principal, project_id, versioned)
    project = await service.reject_project(session, principal, project_id, body.reason)
    return await views.tagged(session, project, versioned)
