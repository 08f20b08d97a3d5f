"""Routes of the clearance API: parse, authorise, call the service layer, shape."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile, status
from fastapi.responses import FileResponse

from srs_clearance import checks, domain, service
from srs_clearance.models import ProjectView
from srs_clearance.schemas import (
    AuditTrailRead,
    CommentCreate,
    CommentRead,
    DecisionCreate,
    DestructionAttestation,
    FileRead,
    GroupCreate,
    GroupRead,
    OutputCreate,
    OutputListItem,
    OutputRead,
    OutputStatusRead,
    Question,
    QueueItem,
    RulesIn,
    SdcCheckRequest,
    SdcCheckResponse,
    VoteCreate,
    VoteRead,
    VotesRead,
)
from srs_clearance.settings import ClearanceSettings
from srs_clearance.storage import FileStore
from srs_common.auth import CurrentPrincipal, Principal, require_roles, require_scope
from srs_common.db import SessionDep, utcnow
from srs_common.errors import Forbidden, NotFound, problem_responses
from srs_common.pagination import Cursor, Limit, Page

router = APIRouter(prefix="/v1", tags=["clearance"])

Researcher = Annotated[Principal, Depends(require_roles("researcher"))]
Checker = Annotated[Principal, Depends(require_roles("checker"))]
# Anyone signed in (visibility decides); partner clients need outputs:read.
OutputStatusReader = Annotated[Principal, Depends(require_scope("outputs:read"))]


def _now(request: Request) -> dt.datetime:
    clock: Callable[[], dt.datetime] | None = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else utcnow()


def _settings(request: Request) -> ClearanceSettings:
    return request.app.state.settings  # type: ignore[no-any-return]


def _store(request: Request) -> FileStore:
    return FileStore(_settings(request).outputs_dir)


Now = Annotated[dt.datetime, Depends(_now)]
Settings = Annotated[ClearanceSettings, Depends(_settings)]
Store = Annotated[FileStore, Depends(_store)]


async def _read(session: Any, output: Any, now: dt.datetime, principal: Principal) -> OutputRead:
    groups = await service.groups_of(session, output.id)
    project = await session.get(ProjectView, output.project_id)
    read = OutputRead.model_validate(output)
    if not service.sees_private_review(principal, output):
        read.override_reason = None  # would tell the requester how the reviewers voted
    read.groups = [
        GroupRead(
            id=g["id"],
            name=g["name"],
            context=g["context"],
            controls=g["controls"],
            files=[FileRead.model_validate(f) for f in g["files"]],
        )
        for g in groups
    ]
    read.overdue = service.is_overdue(output, now)
    read.priority = bool(project and project.priority)
    return read


# --- stateless checks --------------------------------------------------------------------


@router.post(
    "/sdc/checks",
    response_model=SdcCheckResponse,
    tags=["disclosure control"],
    summary="Check a table against the disclosure rules (nothing is stored)",
    responses=problem_responses(
        401, 403, {422: "invalid input, or a rule not met (names the field or rule)"}
    ),
)
async def check_table(data: SdcCheckRequest, session: SessionDep, principal: CurrentPrincipal):
    """Runs the statistical disclosure checks on a table sent in the body and answers the findings;
    nothing is stored."""
    return await checks.run_stateless_check(session, principal, data)


# --- requests ----------------------------------------------------------------------------


@router.post(
    "/outputs",
    status_code=status.HTTP_201_CREATED,
    response_model=OutputRead,
    summary="Draft an output request (active member of an active project)",
    responses=problem_responses(
        401,
        403,
        {
            404: "no such output request, or not the caller's to see",
            409: "illegal transition: names the current state",
            422: "invalid input, or a rule not met (names the field or rule)",
        },
    ),
)
async def create_output(data: OutputCreate, session: SessionDep, principal: Researcher, now: Now):
    """Creates a draft output request for a project the caller is an active member of (201); groups
    and files are added before it is submitted."""
    output = await service.create_output(session, principal, data, now)
    return await _read(session, output, now, principal)


@router.get(
    "/outputs",
    response_model=Page[OutputListItem],
    summary="List the output requests the caller may see (statuses and titles)",
    responses=problem_responses(401, 403),
)
async def list_outputs(
    session: SessionDep,
    principal: OutputStatusReader,
    limit: Limit = 50,
    cursor: Cursor = None,
    project_id: Annotated[str | None, Query(max_length=60)] = None,
    output_status: Annotated[str | None, Query(alias="status", max_length=30)] = None,
):
    """Keyset pagination (`limit`, `cursor`): requesters see their projects' requests, checkers the
    ones they may review, each with its status and title; partner clients statuses only (their
    organisation's requests, no title)."""
    rows, next_cursor = await service.list_outputs(
        session, principal, project_id=project_id, status=output_status, limit=limit, cursor=cursor
    )
    titled = principal.has("support", "checker", "researcher")  # the roles list_outputs serves
    return Page[OutputListItem](
        items=[
            OutputListItem.model_validate(r).model_copy(
                update={"title": r.title if titled else None}
            )
            for r in rows
        ],
        next=next_cursor,
    )


@router.get(
    "/outputs/{output_id}",
    response_model=OutputRead,
    summary="Read an output request with its groups, files and check results",
    responses=problem_responses(401, {404: "no such output request, or not the caller's to see"}),
)
async def read_output(output_id: str, session: SessionDep, principal: CurrentPrincipal, now: Now):
    """The request with its groups, files, automatic check results and decision. A request the
    caller may not see answers 404."""
    output = await service.visible_output(session, principal, output_id)
    return await _read(session, output, now, principal)


@router.get(
    "/outputs/{output_id}/status",
    response_model=OutputStatusRead,
    summary="An output request's status (partners: their organisation's, never contents)",
    responses=problem_responses(
        401, 403, {404: "no such output request, or not the caller's to see"}
    ),
)
async def read_output_status(output_id: str, session: SessionDep, principal: OutputStatusReader):
    """The status only, never contents: for partner clients of the requester's organisation and
    anyone who may read the request."""
    return await service.visible_status(session, principal, output_id)


@router.post(
    "/outputs/{output_id}/groups",
    status_code=status.HTTP_201_CREATED,
    response_model=GroupRead,
    summary="Add a group of files with its context and controls (draft, requester)",
    responses=problem_responses(
        401,
        403,
        {
            404: "no such output request, or not the caller's to see",
            409: "illegal transition: names the current state",
            422: "invalid input, or a rule not met (names the field or rule)",
        },
    ),
)
async def add_group(
    output_id: str, data: GroupCreate, session: SessionDep, principal: Researcher, now: Now
):
    """Adds a group of files with the context (what the output shows) and the controls applied;
    only while the request is a draft."""
    group = await service.add_group(session, principal, output_id, data, now)
    return GroupRead(
        id=group.id, name=group.name, context=group.context, controls=group.controls, files=[]
    )


@router.post(
    "/outputs/{output_id}/groups/{group_id}/files",
    status_code=status.HTTP_201_CREATED,
    response_model=FileRead,
    summary="Upload a file into a group (multipart; 16 MB a file; allowed types)",
    responses=problem_responses(
        401,
        403,
        {
            404: "no such output request, or not the caller's to see",
            409: "illegal transition: names the current state",
            422: "invalid input, or a rule not met (names the field or rule)",
        },
    ),
)
async def upload_file(
    output_id: str,
    group_id: str,
    session: SessionDep,
    principal: Researcher,
    now: Now,
    settings: Settings,
    store: Store,
    file: Annotated[UploadFile, File(description="the output file")],
):
    # Authorise and check the type before storing anything.
    """A multipart upload of one file into a group: at most 16 MB and one of the allowed file types
    (422 otherwise); the file is stored and scanned by the checks at submission."""
    output = await service.visible_output(session, principal, output_id)
    if not service.is_requester(principal, output):
        raise Forbidden("only the requester may change or answer for this request")
    domain.transition(output.status, "change")
    filename = (file.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    checks.check_file_type(output.kind, filename)
    sha, size, data = await store.read(file, settings.max_file_bytes)
    stored = await service.add_file(
        session,
        principal,
        output_id,
        group_id,
        filename=filename,
        content_type=file.content_type or "application/octet-stream",
        sha256=sha,
        size=size,
        data=data,
        now=now,
    )
    store.put(sha, data)  # only once the file is accepted: refused uploads leave nothing
    return FileRead.model_validate(stored)


@router.get(
    "/outputs/{output_id}/files/{file_id}",
    response_class=FileResponse,
    summary="Download a file (authorised and audited)",
    responses={
        **problem_responses(401, {404: "no such output request, or not the caller's to see"}),
        200: {"description": "the file's bytes"},
    },
)
async def download_file(
    output_id: str,
    file_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    now: Now,
    store: Store,
):
    """The file's bytes, for the requester and checkers; every download is recorded in the audit
    trail."""
    stored = await service.file_for_download(session, principal, output_id, file_id, now)
    path = store.path_of(stored.sha256)
    if not path.exists():
        raise NotFound(f"file {file_id} not found")
    return FileResponse(path, media_type=stored.content_type, filename=stored.filename)


@router.post(
    "/outputs/{output_id}/submit",
    response_model=OutputRead,
    summary="Submit a draft: automatic checks run, the service-level clock starts",
    responses=problem_responses(
        401,
        403,
        {
            404: "no such output request, or not the caller's to see",
            409: "illegal transition: names the current state",
            422: "invalid input, or a rule not met (names the field or rule)",
        },
    ),
)
async def submit_output(
    output_id: str,
    session: SessionDep,
    principal: Researcher,
    now: Now,
    settings: Settings,
    store: Store,
):
    """Submits a draft: the automatic checks run on every file and the service-level clock starts;
    the request joins the checkers' queue."""

    def read_text(sha: str) -> str:
        return store.path_of(sha).read_text(encoding="utf-8", errors="replace")

    output = await service.submit_output(session, principal, output_id, now, settings, read_text)
    return await _read(session, output, now, principal)


@router.post(
    "/outputs/{output_id}/withdraw",
    response_model=OutputRead,
    summary="Withdraw a request before its decision (requester)",
    responses=problem_responses(
        401,
        403,
        {
            404: "no such output request, or not the caller's to see",
            409: "illegal transition: names the current state",
        },
    ),
)
async def withdraw_output(output_id: str, session: SessionDep, principal: Researcher, now: Now):
    """The requester withdraws a request before its decision; a decided request answers 409."""
    output = await service.withdraw_output(session, principal, output_id, now)
    return await _read(session, output, now, principal)


# --- checkers ----------------------------------------------------------------------------


@router.get(
    "/queue",
    response_model=Page[QueueItem],
    summary="The checkers' queue: priority projects first, then earliest due",
    responses=problem_responses(401, 403),
)
async def queue(
    session: SessionDep, principal: Checker, now: Now, limit: Limit = 50, cursor: Cursor = None
):
    """Requests awaiting review: priority projects first, then the earliest due under the service
    level. Checkers only."""
    items, next_cursor = await service.checkers_queue(session, limit=limit, cursor=cursor)
    return Page[QueueItem](
        items=[
            QueueItem(
                id=o.id,
                project_id=o.project_id,
                kind=o.kind,
                title=o.title,
                status=o.status,
                automatic_status=o.automatic_status,
                priority=priority,
                due_at=o.due_at,
                overdue=service.is_overdue(o, now),
                clarification_pending=o.clock_paused_at is not None,
            )
            for o, priority in items
        ],
        next=next_cursor,
    )


@router.post(
    "/outputs/{output_id}/review",
    response_model=OutputRead,
    summary="Take a checked request into review (checker; not one's own)",
    responses=problem_responses(
        401,
        403,
        {
            404: "no such output request, or not the caller's to see",
            409: "illegal transition: names the current state",
        },
    ),
)
async def start_review(output_id: str, session: SessionDep, principal: Checker, now: Now):
    """A checker takes a checked request into review; a checker never reviews their own project's
    request (403)."""
    output = await service.start_review(session, principal, output_id, now)
    return await _read(session, output, now, principal)


@router.post(
    "/outputs/{output_id}/recheck",
    response_model=OutputRead,
    summary="Re-run the automatic checks with rules relaxed for this request (checker)",
    responses=problem_responses(
        401,
        403,
        {
            404: "no such output request, or not the caller's to see",
            409: "illegal transition: names the current state",
            422: "invalid input, or a rule not met (names the field or rule)",
        },
    ),
)
async def recheck(output_id: str, data: RulesIn, session: SessionDep, principal: Checker, now: Now):
    """A checker re-runs the automatic checks with relaxed rules for this request only, when the
    context justifies it."""
    output = await service.recheck_with_relaxed_rules(session, principal, output_id, data, now)
    return await _read(session, output, now, principal)


@router.post(
    "/outputs/{output_id}/clarification",
    response_model=OutputRead,
    summary="Ask the requester a question (checker); the clock stops",
    responses=problem_responses(
        401,
        403,
        {
            404: "no such output request, or not the caller's to see",
            409: "illegal transition: names the current state",
            422: "invalid input, or a rule not met (names the field or rule)",
        },
    ),
)
async def request_clarification(
    output_id: str, data: Question, session: SessionDep, principal: Checker, now: Now
):
    """A checker asks the requester a question; the service-level clock stops until the answer."""
    output = await service.request_clarification(session, principal, output_id, data.text, now)
    return await _read(session, output, now, principal)


@router.post(
    "/outputs/{output_id}/clarification/response",
    response_model=OutputRead,
    summary="Answer a clarification (requester); the clock restarts",
    responses=problem_responses(
        401,
        403,
        {
            404: "no such output request, or not the caller's to see",
            409: "illegal transition: names the current state",
            422: "invalid input, or a rule not met (names the field or rule)",
        },
    ),
)
async def respond_to_clarification(
    output_id: str, data: Question, session: SessionDep, principal: Researcher, now: Now
):
    """The requester answers the checker's question; the clock restarts."""
    output = await service.respond_to_clarification(session, principal, output_id, data.text, now)
    return await _read(session, output, now, principal)


@router.post(
    "/outputs/{output_id}/votes",
    status_code=status.HTTP_201_CREATED,
    response_model=VoteRead,
    summary="Cast one independent review (checker; each checker's vote counts once)",
    responses=problem_responses(
        401,
        403,
        {
            404: "no such output request, or not the caller's to see",
            409: "illegal transition: names the current state",
            422: "invalid input, or a rule not met (names the field or rule)",
        },
    ),
)
async def cast_vote(
    output_id: str,
    data: VoteCreate,
    session: SessionDep,
    principal: Checker,
    now: Now,
    settings: Settings,
):
    """A checker casts an independent review (approve or reject, with comments); each checker's
    vote counts once."""
    return await service.cast_vote(session, principal, output_id, data, now, settings)


@router.get(
    "/outputs/{output_id}/votes",
    response_model=VotesRead,
    summary="Reviews so far: blind (own vote only) until every review is in; "
    "never the requester's to read",
    responses=problem_responses(
        401, 403, {404: "no such output request, or not the caller's to see"}
    ),
)
async def list_votes(output_id: str, session: SessionDep, principal: Checker, settings: Settings):
    """The reviews cast so far: each checker sees only their own until every review is in. Never
    readable by the requester."""
    return await service.list_votes(session, principal, output_id, settings)


@router.post(
    "/outputs/{output_id}/decision",
    response_model=OutputRead,
    summary="The consolidating decision (checker): after every independent review; "
    "approving what all rejected needs an override_reason",
    responses=problem_responses(
        401,
        403,
        {
            404: "no such output request, or not the caller's to see",
            409: "illegal transition: names the current state",
            422: "invalid input, or a rule not met (names the field or rule)",
        },
    ),
)
async def decide(
    output_id: str,
    data: DecisionCreate,
    session: SessionDep,
    principal: Checker,
    now: Now,
    settings: Settings,
):
    """The consolidating decision after every independent review; approving a request every review
    rejected needs an `override_reason`. The decision is published and audited."""
    output = await service.decide(session, principal, output_id, data, now, settings)
    return await _read(session, output, now, principal)


@router.get(
    "/outputs/{output_id}/audit",
    response_model=AuditTrailRead,
    summary="The request's hash-chained audit trail (checkers, support); others' votes "
    "withheld until every review is in",
    responses=problem_responses(
        401, 403, {404: "no such output request, or not the caller's to see"}
    ),
)
async def audit_trail(
    output_id: str,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require_roles("checker", "support"))],
    settings: Settings,
):
    """Every action on the request in a hash chain (each entry carries the previous entry's hash),
    for checkers and support; other checkers' votes are withheld until every review is in."""
    return await service.audit_trail(session, principal, output_id, settings)


# --- comments, destruction ---------------------------------------------------------------


@router.post(
    "/outputs/{output_id}/comments",
    status_code=status.HTTP_201_CREATED,
    response_model=CommentRead,
    summary="Comment: private (checkers only) or shared with the requester",
    responses=problem_responses(
        401,
        403,
        {
            404: "no such output request, or not the caller's to see",
            409: "illegal transition: names the current state",
            422: "invalid input, or a rule not met (names the field or rule)",
        },
    ),
)
async def add_comment(
    output_id: str, data: CommentCreate, session: SessionDep, principal: CurrentPrincipal, now: Now
):
    """A comment on the request: private (checkers only) or shared with the requester."""
    return await service.add_comment(session, principal, output_id, data, now)


@router.get(
    "/outputs/{output_id}/comments",
    response_model=list[CommentRead],
    summary="Comments the caller may read (private ones: checkers only)",
    responses=problem_responses(401, {404: "no such output request, or not the caller's to see"}),
)
async def list_comments(output_id: str, session: SessionDep, principal: CurrentPrincipal):
    """The comments the caller may read, oldest first; private ones only for checkers."""
    return await service.list_comments(session, principal, output_id)


@router.post(
    "/outputs/{output_id}/destruction",
    response_model=OutputRead,
    summary="Attest destruction of a pre-publication output (requester)",
    responses=problem_responses(
        401,
        403,
        {
            404: "no such output request, or not the caller's to see",
            409: "illegal transition: names the current state",
            422: "invalid input, or a rule not met (names the field or rule)",
        },
    ),
)
async def attest_destruction(
    output_id: str,
    data: DestructionAttestation,
    session: SessionDep,
    principal: Researcher,
    now: Now,
):
    """The requester attests that a pre-publication output was destroyed after use; recorded and
    audited."""
    output = await service.attest_destruction(session, principal, output_id, data.statement, now)
    return await _read(session, output, now, principal)
