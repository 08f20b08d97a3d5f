"""Routes of /v1/applications: drafting, submission and the panel's decisions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_accreditation.applications import decisions, drafting, submission, visibility
from srs_accreditation.applications.names import application_read, application_reads
from srs_accreditation.deps import (
    APPLICATIONS_WRITE,
    Applicant,
    ApplicationReader,
    Panel,
    Researcher,
    Settings,
)
from srs_accreditation.domain import ApplicationStatus
from srs_accreditation.models import Application
from srs_accreditation.schemas import (
    ApplicationCreate,
    ApplicationRead,
    ApplicationUpdate,
    Approval,
    Reasoned,
)
from srs_common.auth import Principal
from srs_common.concurrency import Versioned, etag_documented, set_etag
from srs_common.db import SessionDep
from srs_common.errors import problem_responses
from srs_common.pagination import Cursor, Limit, Page

applications = APIRouter(prefix="/applications", tags=["applications"])
NO_APPLICATION = "no such application, or not the caller's to see"
DECIDED = "not awaiting a decision (e.g. already decided)"


async def _lock_current(
    session: AsyncSession, principal: Principal, application_id: str, versioned: Versioned
) -> None:
    """Lock the application (if the caller may see it) before a panel decision and refuse
    a stale `If-Match` with 412."""
    stmt = select(Application).where(
        Application.id == application_id, visibility.application_visible_to(principal)
    )
    application = await versioned.lock(session, stmt)
    versioned.require(f"application {application_id}", application)


@applications.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ApplicationRead,
    summary="Draft an application for accreditation (or its renewal); a "
    "partner client drafts one for a researcher of its organisation",
    dependencies=APPLICATIONS_WRITE,
    responses=problem_responses(
        401,
        403,
        {
            404: "no such researcher of the partner's organisation",
            422: "invalid input, or "
            "no registered profile (`profile_required`) (the problem names the `rule`)",
        },
    ),
)
async def create_application(
    data: ApplicationCreate, session: SessionDep, principal: Applicant
) -> Any:
    """Creates a draft application (201). A researcher drafts their own; a partner client with
    `applications:write` drafts one for a researcher of its organisation. Nothing is checked
    against the rules until submission."""
    return await application_read(
        session, await drafting.create_application(session, principal, data)
    )


@applications.get(
    "",
    response_model=Page[ApplicationRead],
    summary="List applications (researcher: own; panel: submitted; support: all)",
    responses=problem_responses(401, 403, 422),
)
async def list_applications(
    session: SessionDep,
    principal: ApplicationReader,
    status_: Annotated[ApplicationStatus | None, Query(alias="status")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """Keyset pagination (`limit`, `cursor`); what each role sees: a researcher their own
    applications, the panel submitted ones, support all of them."""
    items, next_cursor = await drafting.list_applications(
        session, principal, status=status_, limit=limit, cursor=cursor
    )
    return Page[ApplicationRead](items=await application_reads(session, items), next=next_cursor)


@applications.get(
    "/{application_id}",
    response_model=ApplicationRead,
    summary="Read an application",
    responses=problem_responses(401, 403, 422, {404: NO_APPLICATION}) | etag_documented(),
)
async def read_application(
    application_id: str, session: SessionDep, principal: ApplicationReader, response: Response
) -> Any:
    """One application with its status, decision history and `ETag`. An application the
    caller may not see answers 404."""
    application = await visibility.visible_application(session, principal, application_id)
    set_etag(response, application)
    return await application_read(session, application)


@applications.patch(
    "/{application_id}",
    response_model=ApplicationRead,
    summary="Edit a draft, or answer a request for information (applicant)",
    responses=problem_responses(
        401, 403, 422, {404: NO_APPLICATION, 409: "not a draft nor awaiting information"}
    ),
)
async def update_application(
    application_id: str, data: ApplicationUpdate, session: SessionDep, principal: Researcher
) -> Any:
    """Changes a draft, or answers the panel's request for information. Any other status answers
    409."""
    updated = await drafting.update_application(session, principal, application_id, data)
    return await application_read(session, updated)


@applications.post(
    "/{application_id}/submit",
    response_model=ApplicationRead,
    summary="Submit (or resubmit) to the panel; eligibility is checked now "
    "(the applicant, or a partner client of their organisation)",
    dependencies=APPLICATIONS_WRITE,
    responses=problem_responses(
        401,
        403,
        {
            404: NO_APPLICATION,
            409: "not a draft nor awaiting information",
            422: "invalid input, or an eligibility rule is not met (the problem names the `rule`)",
        },
    ),
)
async def submit_application(
    application_id: str, session: SessionDep, settings: Settings, principal: Applicant
) -> Any:
    """Sends the application to the panel. Eligibility (qualifications, training) is checked at
    this moment; a rule not met answers 422 naming the `rule`."""
    submitted = await submission.submit_application(session, settings, principal, application_id)
    return await application_read(session, submitted)


@applications.post(
    "/{application_id}/withdraw",
    response_model=ApplicationRead,
    summary="Withdraw an application before a decision (applicant)",
    responses=problem_responses(401, 403, 422, {404: NO_APPLICATION, 409: "already decided"}),
)
async def withdraw_application(
    application_id: str, session: SessionDep, principal: Researcher
) -> Any:
    """The applicant withdraws an application not yet decided; a decided one answers 409."""
    withdrawn = await drafting.withdraw_application(session, principal, application_id)
    return await application_read(session, withdrawn)


@applications.post(
    "/{application_id}/approve",
    response_model=ApplicationRead,
    summary="Approve: grant (or renew) the accreditation (Research Accreditation Panel)",
    responses=problem_responses(401, 403, 412, 422, {404: NO_APPLICATION, 409: DECIDED})
    | etag_documented(),
)
async def approve_application(
    application_id: str,
    decision: Approval,
    session: SessionDep,
    settings: Settings,
    principal: Panel,
    versioned: Versioned,
) -> Any:
    """The panel approves a submitted application: the accreditation is granted (or renewed) and an
    event is published. Answers the application with the `accreditation_id`."""
    await _lock_current(session, principal, application_id, versioned)
    approved = await decisions.approve_application(
        session, settings, principal, application_id, decision
    )
    await versioned.tag(session, approved)
    return await application_read(session, approved)


@applications.post(
    "/{application_id}/reject",
    response_model=ApplicationRead,
    summary="Reject, with reasons (Research Accreditation Panel)",
    responses=problem_responses(401, 403, 412, 422, {404: NO_APPLICATION, 409: DECIDED})
    | etag_documented(),
)
async def reject_application(
    application_id: str,
    decision: Reasoned,
    session: SessionDep,
    principal: Panel,
    versioned: Versioned,
) -> Any:
    """The panel rejects a submitted application with the reasons given, which the applicant reads;
    an event is published."""
    await _lock_current(session, principal, application_id, versioned)
    rejected = await decisions.reject_application(session, principal, application_id, decision)
    await versioned.tag(session, rejected)
    return await application_read(session, rejected)


@applications.post(
    "/{application_id}/request-information",
    response_model=ApplicationRead,
    summary="Ask the applicant for more information (Research Accreditation Panel)",
    responses=problem_responses(
        401, 403, 412, 422, {404: NO_APPLICATION, 409: "not awaiting a decision"}
    )
    | etag_documented(),
)
async def request_information(
    application_id: str,
    request: Reasoned,
    session: SessionDep,
    principal: Panel,
    versioned: Versioned,
) -> Any:
    """The panel sends a submitted application back to the applicant with questions; the applicant
    edits it and submits again."""
    await _lock_current(session, principal, application_id, versioned)
    asked = await decisions.request_information(session, principal, application_id, request)
    await versioned.tag(session, asked)
    return await application_read(session, asked)
