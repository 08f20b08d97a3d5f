"""Routes of the accreditation API: parse, authorise, call the service layer, shape."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic_core import to_json

from srs_accreditation import register, service
from srs_accreditation.domain import ApplicationStatus
from srs_accreditation.schemas import (
    AccreditationRead,
    ApplicationCreate,
    ApplicationRead,
    ApplicationUpdate,
    Approval,
    OrganisationChangeCreate,
    OrganisationChangeRead,
    Reasoned,
    RegisterEntry,
    ResearcherCreate,
    ResearcherRead,
    ResearcherUpdate,
)
from srs_accreditation.settings import AccreditationSettings
from srs_common.auth import Principal, require_roles, require_scope
from srs_common.db import SessionDep
from srs_common.errors import problem_responses
from srs_common.pagination import Cursor, Limit, Page

router = APIRouter(prefix="/v1")

Researcher = Annotated[Principal, Depends(require_roles("researcher"))]
Panel = Annotated[Principal, Depends(require_roles("panel"))]
Support = Annotated[Principal, Depends(require_roles("support"))]
# Anyone signed in (visibility decides what they see); partner clients need the scope.
ResearcherReader = Annotated[Principal, Depends(require_scope("researchers:read"))]
ApplicationReader = Annotated[Principal, Depends(require_scope("applications:read"))]
# A researcher for themself, or a partner client (applications:write) for its organisation.
Applicant = Annotated[Principal, Depends(require_roles("researcher", "partner"))]
APPLICATIONS_WRITE = [Depends(require_scope("applications:write"))]


async def _settings(request: Request) -> AccreditationSettings:
    return request.app.state.settings  # type: ignore[no-any-return]


Settings = Annotated[AccreditationSettings, Depends(_settings)]


# --- researchers -------------------------------------------------------------------

researchers = APIRouter(prefix="/researchers", tags=["researchers"])


@researchers.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ResearcherRead,
    summary="Register the caller's researcher profile (id and organisation from the token)",
    responses=problem_responses(
        401,
        403,
        {
            409: "a profile with this researcher id exists",
            422: "invalid input, or "
            "a body organisation other than the token's (`organisation_from_identity`) "
            "(the problem names the `rule`)",
        },
    ),
)
async def register_researcher(
    data: ResearcherCreate, session: SessionDep, principal: Researcher
) -> Any:
    """Creates the profile of the signed-in researcher: the researcher id and the organisation come
    from the token, never from the body. Answers the profile (201); 409 if the profile exists."""
    return await service.register_researcher(session, principal, data)


@researchers.get(
    "",
    response_model=Page[ResearcherRead],
    summary="List researchers (support: all; partner: its organisation; researcher: themself)",
    responses=problem_responses(401, 403, 422),
)
async def list_researchers(
    session: SessionDep, principal: ResearcherReader, limit: Limit = 50, cursor: Cursor = None
) -> Any:
    """Keyset pagination (`limit`, `cursor`): support sees every profile, a partner client the
    researchers of its organisation, a researcher only themself."""
    items, next_cursor = await service.list_researchers(
        session, principal, limit=limit, cursor=cursor
    )
    return Page[ResearcherRead](
        items=[ResearcherRead.model_validate(r) for r in items], next=next_cursor
    )


@researchers.get(
    "/{researcher_id}",
    response_model=ResearcherRead,
    summary="Read a researcher profile",
    responses=problem_responses(
        401, 403, 422, {404: "no such researcher, or not the caller's to see"}
    ),
)
async def read_researcher(
    researcher_id: str, session: SessionDep, principal: ResearcherReader
) -> Any:
    """One profile with its qualifications. A profile the caller may not see answers 404, like one
    that does not exist."""
    return await service.visible_researcher(session, principal, researcher_id)


@researchers.patch(
    "/{researcher_id}",
    response_model=ResearcherRead,
    summary="Edit the caller's own profile (the organisation only support changes)",
    responses=problem_responses(
        401,
        403,
        {
            404: "no such researcher, or not the caller's own",
            422: "invalid input, or "
            "another organisation (`organisation_from_identity`) (the problem names the `rule`)",
        },
    ),
)
async def update_researcher(
    researcher_id: str, data: ResearcherUpdate, session: SessionDep, principal: Researcher
) -> Any:
    """Changes the caller's own name, e-mail or qualifications; the organisation is changed only by
    support (`POST .../organisation`)."""
    return await service.update_researcher(session, principal, researcher_id, data)


@researchers.post(
    "/{researcher_id}/organisation",
    response_model=ResearcherRead,
    summary="Move a researcher to another organisation, with a reason (support; "
    "recorded and published)",
    responses=problem_responses(
        401,
        403,
        422,
        {404: "no such researcher", 409: "the researcher is already of that organisation"},
    ),
)
async def change_organisation(
    researcher_id: str, data: OrganisationChangeCreate, session: SessionDep, principal: Support
) -> Any:
    """Support moves a researcher to another organisation with a reason; the change is recorded in
    the organisation history and published as an event."""
    return await service.change_organisation(session, principal, researcher_id, data)


@researchers.get(
    "/{researcher_id}/organisation-changes",
    response_model=list[OrganisationChangeRead],
    summary="A researcher's organisation history: who moved them, when and why (support)",
    responses=problem_responses(401, 403, 422, {404: "no such researcher"}),
)
async def organisation_changes(researcher_id: str, session: SessionDep, principal: Support) -> Any:
    """Every organisation move of the researcher, oldest first, with who made it, when and the
    reason given. Support only."""
    return await service.organisation_changes(session, researcher_id)


@researchers.get(
    "/{researcher_id}/accreditations",
    response_model=list[AccreditationRead],
    summary="A researcher's accreditations, current and past",
    responses=problem_responses(
        401, 403, 422, {404: "no such researcher, or not the caller's to see"}
    ),
)
async def researcher_accreditations(
    researcher_id: str, session: SessionDep, principal: ResearcherReader
) -> Any:
    """The researcher's accreditations, current and past, with their status and validity dates;
    visible to whoever may read the profile."""
    return await service.researcher_accreditations(session, principal, researcher_id)


# --- applications ------------------------------------------------------------------

applications = APIRouter(prefix="/applications", tags=["applications"])
NO_APPLICATION = "no such application, or not the caller's to see"


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
    return await service.create_application(session, principal, data)


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
    items, next_cursor = await service.list_applications(
        session, principal, status=status_, limit=limit, cursor=cursor
    )
    return Page[ApplicationRead](
        items=[ApplicationRead.model_validate(a) for a in items], next=next_cursor
    )


@applications.get(
    "/{application_id}",
    response_model=ApplicationRead,
    summary="Read an application",
    responses=problem_responses(401, 403, 422, {404: NO_APPLICATION}),
)
async def read_application(
    application_id: str, session: SessionDep, principal: ApplicationReader
) -> Any:
    """One application with its status and decision history. An application the caller may not see
    answers 404."""
    return await service.visible_application(session, principal, application_id)


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
    return await service.update_application(session, principal, application_id, data)


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
    return await service.submit_application(session, settings, principal, application_id)


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
    return await service.withdraw_application(session, principal, application_id)


@applications.post(
    "/{application_id}/approve",
    response_model=ApplicationRead,
    summary="Approve: grant (or renew) the accreditation (Research Accreditation Panel)",
    responses=problem_responses(
        401, 403, 422, {404: NO_APPLICATION, 409: "not awaiting a decision (e.g. already decided)"}
    ),
)
async def approve_application(
    application_id: str,
    decision: Approval,
    session: SessionDep,
    settings: Settings,
    principal: Panel,
) -> Any:
    """The panel approves a submitted application: the accreditation is granted (or renewed) and an
    event is published. Answers the application with the `accreditation_id`."""
    return await service.approve_application(session, settings, principal, application_id, decision)


@applications.post(
    "/{application_id}/reject",
    response_model=ApplicationRead,
    summary="Reject, with reasons (Research Accreditation Panel)",
    responses=problem_responses(
        401, 403, 422, {404: NO_APPLICATION, 409: "not awaiting a decision (e.g. already decided)"}
    ),
)
async def reject_application(
    application_id: str, decision: Reasoned, session: SessionDep, principal: Panel
) -> Any:
    """The panel rejects a submitted application with the reasons given, which the applicant reads;
    an event is published."""
    return await service.reject_application(session, principal, application_id, decision)


@applications.post(
    "/{application_id}/request-information",
    response_model=ApplicationRead,
    summary="Ask the applicant for more information (Research Accreditation Panel)",
    responses=problem_responses(
        401, 403, 422, {404: NO_APPLICATION, 409: "not awaiting a decision"}
    ),
)
async def request_information(
    application_id: str, request: Reasoned, session: SessionDep, principal: Panel
) -> Any:
    """The panel sends a submitted application back to the applicant with questions; the applicant
    edits it and submits again."""
    return await service.request_information(session, principal, application_id, request)


# --- accreditations ----------------------------------------------------------------

accreditations = APIRouter(prefix="/accreditations", tags=["accreditations"])
NO_ACCREDITATION = "no such accreditation, or not the caller's to see"


@accreditations.get(
    "/{accreditation_id}",
    response_model=AccreditationRead,
    summary="Read an accreditation",
    responses=problem_responses(401, 403, 422, {404: NO_ACCREDITATION}),
)
async def read_accreditation(
    accreditation_id: str, session: SessionDep, principal: ResearcherReader
) -> Any:
    """One accreditation: its kind, status (current, suspended, revoked, expired) and validity
    dates."""
    accreditation, _ = await service.visible_accreditation(session, principal, accreditation_id)
    return accreditation


def _status_route(
    action: Literal["suspend", "reinstate", "revoke"], summary: str, conflict: str
) -> None:
    @accreditations.post(
        f"/{{accreditation_id}}/{action}",
        response_model=AccreditationRead,
        summary=summary,
        description=f"Support {action}s the accreditation with a reason; the change is "
        "recorded and published as an event, and the services that rely on it follow.",
        name=f"{action}_accreditation",
        responses=problem_responses(401, 403, 422, {404: NO_ACCREDITATION, 409: conflict}),
    )
    async def change(
        accreditation_id: str, body: Reasoned, session: SessionDep, principal: Support
    ) -> Any:
        return await service.change_accreditation_status(
            session, principal, accreditation_id, action, body.reason
        )


_status_route("suspend", "Suspend a current accreditation, with a reason (support)", "not current")
_status_route("reinstate", "Reinstate a suspended accreditation (support)", "not suspended")
_status_route(
    "revoke",
    "Revoke an accreditation for good, with a reason such as a breach of output rules (support)",
    "already expired or revoked",
)


# --- public register ---------------------------------------------------------------

public = APIRouter(prefix="/register", tags=["public register"])


@public.get(
    "",
    response_model=Page[RegisterEntry],
    summary="The public register of accredited and approved researchers (no token)",
    responses=problem_responses(422),
)
async def read_register(
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=200, description="name or organisation")] = None,
    status_: Annotated[
        Literal["current", "expired", "suspended", "revoked"] | None, Query(alias="status")
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """The public register: accredited and approved researchers with their organisation, without
    personal contact details. No token needed; keyset pagination."""
    items, next_cursor = await register.search_register(
        session, q=q, status=status_, limit=limit, cursor=cursor
    )
    # Built by our own code from public columns in RegisterEntry's shape: serialised
    # straight to JSON, without validating 50 models twice on the hottest public read.
    return Response(to_json({"items": items, "next": next_cursor}), media_type="application/json")


for sub in (researchers, applications, accreditations, public):
    router.include_router(sub)
