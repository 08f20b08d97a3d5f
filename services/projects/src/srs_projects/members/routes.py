"""Routes of members and member requests."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from srs_common.db import SessionDep
from srs_common.errors import problem_responses
from srs_projects.members import service
from srs_projects.members.schemas import MemberCreate, MemberRequestRead
from srs_projects.models import MemberRequest
from srs_projects.routing import AUTH, MemberApprover, ProjectReader, Researcher, Settings
from srs_projects.schemas import MemberRead, Reason

router = APIRouter(prefix="/v1/projects", tags=["projects"])


@router.post(
    "/{project_id}/members",
    status_code=status.HTTP_201_CREATED,
    response_model=MemberRead | MemberRequestRead,
    summary="Name a member (lead); on an approved project someone who will see data "
    "is a request staff decide (202)",
    responses={
        **problem_responses(*AUTH, 409, 422),
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
) -> MemberRead | MemberRequestRead:
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
) -> list[MemberRequest]:
    """Requests to add a member to the approved project that staff decide, with their status;
    visible to the lead and to staff."""
    return await service.member_requests_of(session, principal, project_id, status_)


@router.post(
    "/{project_id}/member-requests/{request_id}/approve",
    response_model=MemberRequestRead,
    summary="Approve a member request: the member joins and their account is enabled "
    "(service staff, or the panel by setting)",
    responses=problem_responses(*AUTH, 409, 422),
)
async def approve_member_request(
    project_id: str,
    request_id: str,
    session: SessionDep,
    principal: MemberApprover,
    settings: Settings,
) -> MemberRequest:
    """The member joins the project and their account in the project space is enabled. Who decides
    (service staff or the panel) is a setting."""
    return await service.decide_member_request(
        session,
        principal,
        project_id,
        request_id,
        approve=True,
        reason=None,
        approver=settings.member_approver,
    )


@router.post(
    "/{project_id}/member-requests/{request_id}/refuse",
    response_model=MemberRequestRead,
    summary="Refuse a member request, with the reason (service staff, or the panel by setting)",
    responses=problem_responses(*AUTH, 409, 422),
)
async def refuse_member_request(
    project_id: str,
    request_id: str,
    body: Reason,
    session: SessionDep,
    principal: MemberApprover,
    settings: Settings,
) -> MemberRequest:
    """The member does not join; the reason is recorded and the lead reads it."""
    return await service.decide_member_request(
        session,
        principal,
        project_id,
        request_id,
        approve=False,
        reason=body.reason,
        approver=settings.member_approver,
    )


@router.delete(
    "/{project_id}/members/{researcher_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Remove a member from the project (lead)",
    responses=problem_responses(*AUTH, 409, 422),
)
async def remove_member(
    project_id: str, researcher_id: str, session: SessionDep, principal: Researcher
) -> Response:
    """The lead removes a member; the member loses access to the project space."""
    await service.remove_member(session, principal, project_id, researcher_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
