"""Routes of the running project: suspension, resumption, handover, extensions,
completion."""

from __future__ import annotations

from fastapi import APIRouter, status

from srs_common.concurrency import Versioned, etag_documented
from srs_common.context import Now
from srs_common.db import SessionDep
from srs_common.errors import problem_responses
from srs_projects import views, visibility
from srs_projects.lifecycle import case_study, completion, extensions, handover, suspension
from srs_projects.lifecycle.schemas import (
    CaseStudyAnswer,
    CompletionCreate,
    ExtensionCreate,
    ExtensionRead,
    LeadHandover,
)
from srs_projects.models import ExtensionRequest
from srs_projects.routing import AUTH, ProjectReader, Researcher, Support
from srs_projects.schemas import ProjectRead, Reason

router = APIRouter(prefix="/v1/projects", tags=["projects"])


@router.post(
    "/{project_id}/suspend",
    response_model=ProjectRead,
    summary="Suspend an active project (service staff)",
    responses=problem_responses(*AUTH, 409, 412, 422) | etag_documented(),
)
async def suspend_project(
    project_id: str, body: Reason, session: SessionDep, principal: Support, versioned: Versioned
) -> ProjectRead:
    """Service staff suspend an active project, with a reason; members lose access to the project
    space until it resumes."""
    await visibility.lock_current_project(session, principal, project_id, versioned)
    project = await suspension.suspend_project(session, principal, project_id, body.reason)
    return await views.tagged(session, project, versioned)


@router.post(
    "/{project_id}/resume",
    response_model=ProjectRead,
    summary="Resume a suspended project (service staff)",
    responses=problem_responses(*AUTH, 409, 412, 422) | etag_documented(),
)
async def resume_project(
    project_id: str, body: Reason, session: SessionDep, principal: Support, versioned: Versioned
) -> ProjectRead:
    """Service staff resume a suspended project; members' access is restored."""
    await visibility.lock_current_project(session, principal, project_id, versioned)
    project = await suspension.resume_project(session, principal, project_id, body.reason)
    return await views.tagged(session, project, versioned)


@router.post(
    "/{project_id}/lead",
    response_model=ProjectRead,
    summary="Hand the project over to a new, fully accredited lead (service staff); "
    "a project suspended because its lead was revoked resumes",
    responses=problem_responses(*AUTH, 409, 412, 422) | etag_documented(),
)
async def hand_over(
    project_id: str,
    body: LeadHandover,
    session: SessionDep,
    principal: Support,
    versioned: Versioned,
) -> ProjectRead:
    """Service staff name a new lead, who must be fully accredited (422 otherwise)."""
    await visibility.lock_current_project(session, principal, project_id, versioned)
    project = await visibility.visible_project(session, principal, project_id, for_update=True)
    project = await handover.hand_over(session, project, principal, body)
    return await views.tagged(session, project, versioned)


@router.post(
    "/{project_id}/extensions",
    status_code=status.HTTP_201_CREATED,
    response_model=ExtensionRead,
    summary="Ask for a later completion date (lead; service staff decide)",
    responses=problem_responses(*AUTH, 409, 422),
)
async def request_extension(
    project_id: str, data: ExtensionCreate, session: SessionDep, principal: Researcher
) -> ExtensionRequest:
    """The lead asks for a later expected end date, with a reason; service staff approve or refuse
    it."""
    return await extensions.request_extension(session, principal, project_id, data)


@router.get(
    "/{project_id}/extensions",
    response_model=list[ExtensionRead],
    summary="The project's extension requests",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_extensions(
    project_id: str, session: SessionDep, principal: ProjectReader
) -> list[ExtensionRequest]:
    """Every extension request of the project with its status and decision."""
    return await extensions.extensions_of(session, principal, project_id)


@router.post(
    "/{project_id}/extensions/{extension_id}/approve",
    response_model=ExtensionRead,
    summary="Approve an extension: the completion date moves (service staff)",
    responses=problem_responses(*AUTH, 409),
)
async def approve_extension(
    project_id: str, extension_id: str, session: SessionDep, principal: Support
) -> ExtensionRequest:
    """Service staff approve the extension: the project's expected end date becomes the requested
    one."""
    return await extensions.decide_extension(
        session, principal, project_id, extension_id, approve=True
    )


@router.post(
    "/{project_id}/extensions/{extension_id}/refuse",
    response_model=ExtensionRead,
    summary="Refuse an extension (service staff)",
    responses=problem_responses(*AUTH, 409),
)
async def refuse_extension(
    project_id: str, extension_id: str, session: SessionDep, principal: Support
) -> ExtensionRequest:
    """Service staff refuse the extension, with a reason; the end date is unchanged."""
    return await extensions.decide_extension(
        session, principal, project_id, extension_id, approve=False
    )


@router.post(
    "/{project_id}/complete",
    response_model=ProjectRead,
    summary="Complete the project, recording its final publications (lead)",
    responses=problem_responses(*AUTH, 409, 422),
)
async def complete_project(
    project_id: str, data: CompletionCreate, session: SessionDep, principal: Researcher
) -> ProjectRead:
    """The lead completes the project, listing its final publications; an event is published."""
    project = await completion.complete_project(session, principal, project_id, data)
    return await views.read(session, project)


@router.post(
    "/{project_id}/case-study",
    response_model=ProjectRead,
    summary="Nominate a completed project as a case study, with a reason (service staff); "
    "the lead is asked to consent",
    responses=problem_responses(*AUTH, 409),
)
async def nominate_case_study(
    project_id: str, body: Reason, session: SessionDep, principal: Support, now: Now
) -> ProjectRead:
    """Service staff nominate a completed project once (409 for another state or a second
    nomination); the lead is told and asked to consent."""
    project = await case_study.nominate(session, principal, project_id, body.reason, now)
    return await views.read(session, project)


@router.post(
    "/{project_id}/case-study/consent",
    response_model=ProjectRead,
    summary="Consent to or decline the case study (lead)",
    responses=problem_responses(*AUTH, 409),
)
async def answer_case_study(
    project_id: str, body: CaseStudyAnswer, session: SessionDep, principal: Researcher, now: Now
) -> ProjectRead:
    """The lead answers a nomination once; only a consenting project is shown as a case study
    on the public register."""
    project = await case_study.answer(session, principal, project_id, body.consent, now)
    return await views.read(session, project)
