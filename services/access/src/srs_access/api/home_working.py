"""Home working (section 18): apply, approve (staff and data owners), sign, revoke."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_access import home_working
from srs_access.models import HomeWorkingRequest
from srs_access.names import names_of_request
from srs_access.schemas.home_working import HomeWorkingCreate, HomeWorkingRead, HomeWorkingReason
from srs_common.auth import CurrentPrincipal, Principal, require_roles
from srs_common.concurrency import Versioned, etag_documented, set_etag
from srs_common.context import Now
from srs_common.db import SessionDep
from srs_common.errors import problem_responses

router = APIRouter(prefix="/v1/home-working-requests", tags=["home working"])
RequestId = Annotated[str, Path(max_length=40, examples=["hw_01JA"])]


async def _read(
    session: AsyncSession, request: HomeWorkingRequest, now: dt.datetime
) -> HomeWorkingRead:
    read = HomeWorkingRead.model_validate(request)
    read.response_overdue = request.status == "submitted" and now.date() > request.respond_by
    read.syops_signed = await home_working.signatures(session, request.id)
    read.names = await names_of_request(session, request)
    return read


async def _lock(
    session: AsyncSession, principal: Principal, request_id: str, versioned: Versioned
) -> None:
    """Lock the request (if the caller may see it) and refuse a stale `If-Match` (412)."""
    visible = home_working.request_visible_to(principal, session.get_bind().dialect.name)
    request = await versioned.lock(
        session,
        select(HomeWorkingRequest).where(HomeWorkingRequest.id == request_id, visible),
    )
    versioned.require(f"home-working request {request_id}", request)


async def _answer(
    session: AsyncSession, request: HomeWorkingRequest, now: dt.datetime, versioned: Versioned
) -> HomeWorkingRead:
    await versioned.tag(session, request)
    return await _read(session, request, now)


@router.post(
    "",
    response_model=HomeWorkingRead,
    status_code=201,
    summary="Apply for home working (researcher, for their own projects)",
    responses=problem_responses(401, 403, 404, 422),
)
async def submit(
    body: HomeWorkingCreate,
    session: SessionDep,
    now: Now,
    principal: Annotated[Principal, Depends(require_roles("researcher"))],
) -> HomeWorkingRead:
    """A researcher applies to work from home on one of their own projects (201); service staff and
    the owners of the project's datasets must approve."""
    request = await home_working.submit_request(session, principal, **body.model_dump())
    return await _read(session, request, now)


@router.get(
    "",
    response_model=list[HomeWorkingRead],
    summary="Home-working requests the caller may see",
    responses=problem_responses(401, 422),
)
async def list_requests(
    session: SessionDep,
    now: Now,
    principal: CurrentPrincipal,
    status: Annotated[
        Literal["submitted", "approved", "refused", "revoked"] | None, Query()
    ] = None,
) -> list[HomeWorkingRead]:
    """Staff see every request, data owners those for their datasets, a researcher their own."""
    return [
        await _read(session, r, now)
        for r in await home_working.list_requests(session, principal, status=status)
    ]


@router.get(
    "/{request_id}",
    response_model=HomeWorkingRead,
    summary="One home-working request",
    responses=problem_responses(401, 404, 422) | etag_documented(),
)
async def read_request(
    request_id: RequestId,
    session: SessionDep,
    principal: CurrentPrincipal,
    now: Now,
    response: Response,
) -> HomeWorkingRead:
    """One home-working request with its approvals, status and `ETag`. A request the caller
    may not see answers 404."""
    request = await home_working.get_request(session, principal, request_id)
    set_etag(response, request)
    return await _read(session, request, now)


@router.post(
    "/{request_id}/staff-approval",
    response_model=HomeWorkingRead,
    summary="Service staff approve (support)",
    responses=problem_responses(401, 403, 404, 409, 412, 422) | etag_documented(),
)
async def staff_approve(
    request_id: RequestId,
    session: SessionDep,
    now: Now,
    principal: Annotated[Principal, Depends(require_roles("support"))],
    versioned: Versioned,
) -> HomeWorkingRead:
    """Service staff approve the request; it takes effect when every data owner has approved and
    the researcher has signed the procedures."""
    await _lock(session, principal, request_id, versioned)
    request = await home_working.staff_approve(session, principal, request_id)
    return await _answer(session, request, now, versioned)


@router.post(
    "/{request_id}/owner-approval",
    response_model=HomeWorkingRead,
    summary="A data owner approves for their datasets (data_owner; `org` claim names the owner)",
    responses=problem_responses(401, 403, 404, 409, 412, 422) | etag_documented(),
)
async def owner_approve(
    request_id: RequestId,
    session: SessionDep,
    now: Now,
    principal: Annotated[Principal, Depends(require_roles("data_owner"))],
    versioned: Versioned,
) -> HomeWorkingRead:
    """A data owner approves for their datasets; the token's `org` claim names the owner."""
    await _lock(session, principal, request_id, versioned)
    request = await home_working.owner_approve(session, principal, request_id)
    return await _answer(session, request, now, versioned)


@router.post(
    "/{request_id}/refusal",
    response_model=HomeWorkingRead,
    summary="Refuse, with the reason (support or a data owner of the request)",
    responses=problem_responses(401, 403, 404, 409, 412, 422) | etag_documented(),
)
async def refuse(
    request_id: RequestId,
    body: HomeWorkingReason,
    session: SessionDep,
    now: Now,
    principal: Annotated[Principal, Depends(require_roles("support", "data_owner"))],
    versioned: Versioned,
) -> HomeWorkingRead:
    """Support or a data owner of the request refuses it with a reason; a decided request answers
    409."""
    await _lock(session, principal, request_id, versioned)
    request = await home_working.refuse(session, principal, request_id, body.reason)
    return await _answer(session, request, now, versioned)


@router.post(
    "/{request_id}/revocation",
    response_model=HomeWorkingRead,
    summary="Withdraw an approval (support)",
    responses=problem_responses(401, 403, 404, 409, 412, 422) | etag_documented(),
)
async def revoke(
    request_id: RequestId,
    body: HomeWorkingReason,
    session: SessionDep,
    now: Now,
    principal: Annotated[Principal, Depends(require_roles("support"))],
    versioned: Versioned,
) -> HomeWorkingRead:
    """Support withdraws an approval; home working ends at once."""
    await _lock(session, principal, request_id, versioned)
    request = await home_working.revoke(session, principal, request_id, body.reason)
    return await _answer(session, request, now, versioned)


@router.post(
    "/{request_id}/syops-signature",
    response_model=HomeWorkingRead,
    summary="Sign the extended security operating procedures (named researcher)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def sign_syops(
    request_id: RequestId,
    session: SessionDep,
    now: Now,
    principal: Annotated[Principal, Depends(require_roles("researcher"))],
) -> HomeWorkingRead:
    """The named researcher signs the extended security operating procedures, a condition of the
    approval."""
    return await _read(session, await home_working.sign_syops(session, principal, request_id), now)
