"""Routes of the projects API: parse, authorise, call the service layer, shape."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, status

from srs_common.auth import Principal, require_roles, require_scope
from srs_common.db import SessionDep
from srs_common.errors import problem_responses
from srs_common.pagination import Cursor, Limit, Page
from srs_projects import lifecycle, register, service
from srs_projects.domain import ProjectStatus
from srs_projects.models import MemberRequest
from srs_projects.schemas import (
    CompletionCreate,
    ExtensionCreate,
    ExtensionRead,
    LeadHandover,
    MemberCreate,
    MemberRead,
    MemberRequestRead,
    PriorityDecision,
    ProjectCreate,
    ProjectDecision,
    ProjectRead,
    ProjectSummary,
    ProjectUpdate,
    Reason,
    RegisterEntry,
)

router = APIRouter(prefix="/v1/projects", tags=["projects"])
register_router = APIRouter(prefix="/v1/register", tags=["public register"])

Researcher = Annotated[Principal, Depends(require_roles("researcher"))]
Panel = Annotated[Principal, Depends(require_roles("panel"))]
Support = Annotated[Principal, Depends(require_roles("support"))]
# Who decides member requests depends on a setting; the service checks which of the two.
MemberApprover = Annotated[Principal, Depends(require_roles("support", "panel"))]
# Anyone signed in (visibility decides what they see); partner clients need projects:read.
ProjectReader = Annotated[Principal, Depends(require_scope("projects:read"))]

# 422 too: any path parameter can be invalid, and the error is problem+json, not
# FastAPI's default application/json.
_AUTH = (401, 403, 404, 422)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ProjectRead,
    summary="Draft a project application (the caller, accredited, leads it)",
    responses=problem_responses(401, 403, 422),
)
async def create_project(data: ProjectCreate, session: SessionDep, principal: Researcher):
    """Creates a draft project application led by the caller, who must hold a current accreditation
    (422 names the rule otherwise). Answers the project (201)."""
    project = await service.create_project(session, principal, data)
    return await service.read(session, project)


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
    limit: Limit = 50,
    cursor: Cursor = None,
):
    """Keyset pagination (`limit`, `cursor`): members see their projects, the panel and staff the
    ones their role reviews, partner clients (`projects:read`) their organisation's."""
    return await service.list_projects(
        session, principal, status=status_, limit=limit, cursor=cursor
    )


@router.get(
    "/{project_id}",
    response_model=ProjectRead,
    summary="Read a project",
    responses=problem_responses(401, 403, 404, 422),
)
async def read_project(project_id: str, session: SessionDep, principal: ProjectReader):
    """One project with its members and decisions. A project the caller may not see answers 404,
    like one that does not exist."""
    return await service.read(
        session, await service.visible_project(session, principal, project_id)
    )


@router.patch(
    "/{project_id}",
    response_model=ProjectRead,
    summary="Edit the application (lead; while a draft or sent back)",
    responses=problem_responses(*_AUTH, 409, 422),
)
async def update_application(
    project_id: str, changes: ProjectUpdate, session: SessionDep, principal: Researcher
):
    """The lead edits the application while it is a draft or sent back for information; any other
    status answers 409."""
    project = await service.update_application(session, principal, project_id, changes)
    return await service.read(session, project)


@router.post(
    "/{project_id}/submit",
    response_model=ProjectRead,
    summary="Submit a complete draft to the Research Accreditation Panel (lead)",
    responses=problem_responses(*_AUTH, 409, 422),
)
async def submit_project(project_id: str, session: SessionDep, principal: Researcher):
    """The lead submits a complete draft to the panel; an incomplete one answers 422 naming what is
    missing."""
    return await service.read(session, await service.submit_project(session, principal, project_id))


@router.post(
    "/{project_id}/resubmit",
    response_model=ProjectRead,
    summary="Resubmit with the information the panel asked for (lead)",
    responses=problem_responses(*_AUTH, 409, 422),
)
async def resubmit_project(project_id: str, session: SessionDep, principal: Researcher):
    """The lead sends the application back to the panel after answering its questions."""
    project = await service.submit_project(session, principal, project_id, resubmission=True)
    return await service.read(session, project)


@router.post(
    "/{project_id}/review",
    response_model=ProjectRead,
    summary="Take a submitted application under review (panel)",
    responses=problem_responses(*_AUTH, 409),
)
async def start_review(project_id: str, session: SessionDep, principal: Panel):
    """The panel takes a submitted application under review; only an application under review can
    be decided."""
    return await service.read(session, await service.start_review(session, principal, project_id))


@router.post(
    "/{project_id}/request-information",
    response_model=ProjectRead,
    summary="Send the application back to the lead with questions (panel)",
    responses=problem_responses(*_AUTH, 409, 422),
)
async def request_information(project_id: str, body: Reason, session: SessionDep, principal: Panel):
    """The panel sends the application back to the lead with its questions; the lead edits and
    resubmits."""
    project = await service.request_information(session, principal, project_id, body.reason)
    return await service.read(session, project)


@router.post(
    "/{project_id}/approve",
    response_model=ProjectRead,
    summary="Approve an application under review, optionally with conditions (panel)",
    responses=problem_responses(*_AUTH, 409, 422),
)
async def approve_project(
    project_id: str, decision: ProjectDecision, session: SessionDep, principal: Panel
):
    """The panel approves an application under review, optionally with conditions the lead reads;
    the approval is published and the project space is provisioned from it."""
    project = await service.approve_project(session, principal, project_id, decision)
    return await service.read(session, project)


@router.post(
    "/{project_id}/priority",
    response_model=ProjectRead,
    summary="Grant or withhold priority between submission and decision (panel)",
    responses=problem_responses(*_AUTH, 409, 422),
)
async def decide_priority(
    project_id: str, body: PriorityDecision, session: SessionDep, principal: Panel
):
    """The panel grants or withholds the priority the lead asked for, while the application is
    submitted or under review; priority projects go first in the checkers' queue."""
    project = await service.decide_priority(session, principal, project_id, body)
    return await service.read(session, project)


@router.post(
    "/{project_id}/reject",
    response_model=ProjectRead,
    summary="Reject an application under review, with reasons (panel)",
    responses=problem_responses(*_AUTH, 409, 422),
)
async def reject_project(project_id: str, body: Reason, session: SessionDep, principal: Panel):
    """The panel rejects an application under review, with reasons; an event is published."""
    project = await service.reject_project(session, principal, project_id, body.reason)
    return await service.read(session, project)


@router.post(
    "/{project_id}/members",
    status_code=status.HTTP_201_CREATED,
    response_model=MemberRead | MemberRequestRead,
    summary="Name a member (lead); on an approved project someone who will see data "
    "is a request staff decide (202)",
    responses={
        **problem_responses(*_AUTH, 409, 422),
        202: {
            "description": "the project is approved and the member will see data: a "
            "request awaiting the staff's decision",
            "model": MemberRequestRead,
        },
    },
)
async def add_member(
    project_id: str,
    data: MemberCreate,
    session: SessionDep,
    principal: Researcher,
    response: Response,
):
    """The lead names a member. On a draft the member joins at once (201); on an approved
    project a member who will see data becomes a request service staff decide (202), and
    joins only when it is approved."""
    added = await service.add_member(session, principal, project_id, data)
    if isinstance(added, MemberRequest):
        response.status_code = status.HTTP_202_ACCEPTED
        return MemberRequestRead.model_validate(added)
    return MemberRead.model_validate(added)


@router.get(
    "/{project_id}/member-requests",
    response_model=list[MemberRequestRead],
    summary="Requests to add members to the approved project",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_member_requests(
    project_id: str,
    session: SessionDep,
    principal: ProjectReader,
    status_: Annotated[
        Literal["requested", "approved", "refused", "withdrawn"] | None, Query(alias="status")
    ] = None,
):
    """Requests to add a member to the approved project that staff decide, with their status;
    visible to the lead and to staff."""
    return await service.member_requests_of(session, principal, project_id, status_)


def _member_approver(request: Request) -> str:
    return request.app.state.settings.member_approver  # type: ignore[no-any-return]


@router.post(
    "/{project_id}/member-requests/{request_id}/approve",
    response_model=MemberRequestRead,
    summary="Approve a member request: the member joins and their account is enabled "
    "(service staff, or the panel by setting)",
    responses=problem_responses(*_AUTH, 409, 422),
)
async def approve_member_request(
    project_id: str,
    request_id: str,
    session: SessionDep,
    principal: MemberApprover,
    request: Request,
):
    """The member joins the project and their account in the project space is enabled. Who decides
    (service staff or the panel) is a setting."""
    return await service.decide_member_request(
        session,
        principal,
        project_id,
        request_id,
        approve=True,
        reason=None,
        approver=_member_approver(request),
    )


@router.post(
    "/{project_id}/member-requests/{request_id}/refuse",
    response_model=MemberRequestRead,
    summary="Refuse a member request, with the reason (service staff, or the panel by setting)",
    responses=problem_responses(*_AUTH, 409, 422),
)
async def refuse_member_request(
    project_id: str,
    request_id: str,
    body: Reason,
    session: SessionDep,
    principal: MemberApprover,
    request: Request,
):
    """The member does not join; the reason is recorded and the lead reads it."""
    return await service.decide_member_request(
        session,
        principal,
        project_id,
        request_id,
        approve=False,
        reason=body.reason,
        approver=_member_approver(request),
    )


@router.delete(
    "/{project_id}/members/{researcher_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Remove a member from the project (lead)",
    responses=problem_responses(*_AUTH, 409, 422),
)
async def remove_member(
    project_id: str, researcher_id: str, session: SessionDep, principal: Researcher
) -> Response:
    """The lead removes a member; the member loses access to the project space."""
    await service.remove_member(session, principal, project_id, researcher_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{project_id}/suspend",
    response_model=ProjectRead,
    summary="Suspend an active project (service staff)",
    responses=problem_responses(*_AUTH, 409, 422),
)
async def suspend_project(project_id: str, body: Reason, session: SessionDep, principal: Support):
    """Service staff suspend an active project, with a reason; members lose access to the project
    space until it resumes."""
    project = await service.suspend_project(session, principal, project_id, body.reason)
    return await service.read(session, project)


@router.post(
    "/{project_id}/resume",
    response_model=ProjectRead,
    summary="Resume a suspended project (service staff)",
    responses=problem_responses(*_AUTH, 409, 422),
)
async def resume_project(project_id: str, body: Reason, session: SessionDep, principal: Support):
    """Service staff resume a suspended project; members' access is restored."""
    project = await service.resume_project(session, principal, project_id, body.reason)
    return await service.read(session, project)


@router.post(
    "/{project_id}/lead",
    response_model=ProjectRead,
    summary="Hand the project over to a new, fully accredited lead (service staff); "
    "a project suspended because its lead was revoked resumes",
    responses=problem_responses(*_AUTH, 409, 422),
)
async def hand_over(project_id: str, body: LeadHandover, session: SessionDep, principal: Support):
    """Service staff name a new lead, who must be fully accredited (422 otherwise)."""
    project = await service.visible_project(session, principal, project_id, for_update=True)
    return await service.read(session, await lifecycle.hand_over(session, project, principal, body))


@router.post(
    "/{project_id}/extensions",
    status_code=status.HTTP_201_CREATED,
    response_model=ExtensionRead,
    summary="Ask for a later completion date (lead; service staff decide)",
    responses=problem_responses(*_AUTH, 409, 422),
)
async def request_extension(
    project_id: str, data: ExtensionCreate, session: SessionDep, principal: Researcher
):
    """The lead asks for a later expected end date, with a reason; service staff approve or refuse
    it."""
    return await service.request_extension(session, principal, project_id, data)


@router.get(
    "/{project_id}/extensions",
    response_model=list[ExtensionRead],
    summary="The project's extension requests",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_extensions(project_id: str, session: SessionDep, principal: ProjectReader):
    """Every extension request of the project with its status and decision."""
    return await service.extensions_of(session, principal, project_id)


@router.post(
    "/{project_id}/extensions/{extension_id}/approve",
    response_model=ExtensionRead,
    summary="Approve an extension: the completion date moves (service staff)",
    responses=problem_responses(*_AUTH, 409),
)
async def approve_extension(
    project_id: str, extension_id: str, session: SessionDep, principal: Support
):
    """Service staff approve the extension: the project's expected end date becomes the requested
    one."""
    return await service.decide_extension(
        session, principal, project_id, extension_id, approve=True
    )


@router.post(
    "/{project_id}/extensions/{extension_id}/refuse",
    response_model=ExtensionRead,
    summary="Refuse an extension (service staff)",
    responses=problem_responses(*_AUTH, 409),
)
async def refuse_extension(
    project_id: str, extension_id: str, session: SessionDep, principal: Support
):
    """Service staff refuse the extension, with a reason; the end date is unchanged."""
    return await service.decide_extension(
        session, principal, project_id, extension_id, approve=False
    )


@router.post(
    "/{project_id}/complete",
    response_model=ProjectRead,
    summary="Complete the project, recording its final publications (lead)",
    responses=problem_responses(*_AUTH, 409, 422),
)
async def complete_project(
    project_id: str, data: CompletionCreate, session: SessionDep, principal: Researcher
):
    """The lead completes the project, listing its final publications; an event is published."""
    project = await service.complete_project(session, principal, project_id, data)
    return await service.read(session, project)


@register_router.get(
    "/projects",
    response_model=Page[RegisterEntry],
    summary="Public register of accredited projects (no token needed)",
    responses=problem_responses(422),
)
async def project_register(
    session: SessionDep,
    q: Annotated[
        str | None, Query(max_length=200, description="search title, lay summary, organisation")
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
):
    """The public register of approved projects and what the public may know of them. No token
    needed; keyset pagination."""
    return await register.search_register(session, q=q, limit=limit, cursor=cursor)
