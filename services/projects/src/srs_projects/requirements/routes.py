"""Routes of dataset requirements: the lead completes a dataset's form, the dataset's
team (or support) accepts or returns it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from srs_common.auth import Principal, require_roles
from srs_common.context import Now
from srs_common.db import SessionDep
from srs_common.errors import problem_responses
from srs_common.pagination import Cursor, Limit, Page
from srs_projects.members.names import researcher_names
from srs_projects.models import DatasetRequirementTask
from srs_projects.requirements import service
from srs_projects.requirements.rules import RequirementAction, RequirementStatus
from srs_projects.requirements.schemas import FormSubmission, RequirementListItem, RequirementRead
from srs_projects.routing import AUTH, Researcher
from srs_projects.schemas import Reason

router = APIRouter(prefix="/v1/dataset-requirements", tags=["dataset requirements"])
# Anyone signed in: visibility decides (members their projects', the panel submitted
# applications', a data owner their team's once sent, support all).
Reader = Annotated[
    Principal, Depends(require_roles("researcher", "panel", "support", "data_owner"))
]
DatasetTeam = Annotated[Principal, Depends(require_roles("support", "data_owner"))]


def _item(row: Any, names: dict[str, str]) -> RequirementListItem:
    task, title, status, lead = row
    return RequirementListItem.model_validate(
        {
            **RequirementRead.model_validate(task).model_dump(),
            "project_title": title,
            "project_status": status,
            "lead_researcher_id": lead,
            "lead_name": names.get(lead),
        }
    )


@router.get(
    "",
    response_model=Page[RequirementListItem],
    summary="List the dataset requirements the caller may see (a data owner: their team's)",
    responses=problem_responses(401, 403, 422),
)
async def list_requirements(
    session: SessionDep,
    principal: Reader,
    status: RequirementStatus | None = None,
    dataset_id: Annotated[str | None, Query(max_length=100)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[RequirementListItem]:
    """Keyset pagination, oldest first. A data owner sees the forms their team (token `org`)
    accepts once the lead has sent them (`status=submitted`: those awaiting a decision);
    researchers those of their projects, the panel those of submitted applications, support
    all."""
    page = await service.list_requirements(
        session, principal, status=status, dataset_id=dataset_id, limit=limit, cursor=cursor
    )
    names = await researcher_names(session, [row[3] for row in page.items])
    return page.map(lambda row: _item(row, names))


@router.get(
    "/{requirement_id}",
    response_model=RequirementRead,
    summary="Read one dataset requirement with its form and answers",
    responses=problem_responses(*AUTH),
)
async def read_requirement(
    requirement_id: str, session: SessionDep, principal: Reader
) -> DatasetRequirementTask:
    """One requirement; one the caller may not see answers 404, like one that does not exist."""
    return await service.visible_requirement(session, principal, requirement_id)


@router.post(
    "/{requirement_id}/submission",
    response_model=RequirementRead,
    summary="Complete (or correct) a dataset's form (lead, while the application is undecided)",
    responses=problem_responses(*AUTH, 409),
)
async def submit_form(
    requirement_id: str,
    body: FormSubmission,
    session: SessionDep,
    principal: Researcher,
    now: Now,
) -> DatasetRequirementTask:
    """The lead answers the form's questions and sends it to the dataset's team; a returned form
    is corrected and sent again. Members who don't lead get 403; answers the form does not
    accept a 422 naming each question (`rule: form_answers_invalid`); a form already sent or
    accepted, or an application already decided, 409."""
    return await service.submit_form(session, principal, requirement_id, body.answers, now)


@router.post(
    "/{requirement_id}/accept",
    response_model=RequirementRead,
    summary="Accept a submitted form (the dataset's team: data_owner of `accepted_by`; support)",
    responses=problem_responses(*AUTH, 409),
)
async def accept_form(
    requirement_id: str, session: SessionDep, principal: DatasetTeam, now: Now
) -> DatasetRequirementTask:
    """The dataset's team accepts the form: it no longer holds the panel's approval back. A data
    owner of another team gets 404; the decision is audited and published."""
    return await service.decide(
        session, principal, requirement_id, RequirementAction.ACCEPT, None, now
    )


@router.post(
    "/{requirement_id}/return",
    response_model=RequirementRead,
    summary="Return a submitted form to the lead with a reason (the dataset's team; support)",
    responses=problem_responses(*AUTH, 409),
)
async def return_form(
    requirement_id: str, body: Reason, session: SessionDep, principal: DatasetTeam, now: Now
) -> DatasetRequirementTask:
    """The dataset's team returns the form with the reason the lead reads; the lead corrects and
    sends it again. Audited and published."""
    return await service.decide(
        session, principal, requirement_id, RequirementAction.RETURN, body.reason, now
    )
