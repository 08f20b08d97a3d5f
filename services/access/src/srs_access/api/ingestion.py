"""Data and code ingestion requests: upload, the automatic check, the SRS team's decision,
the transfer into the project space, the researcher's withdrawal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from srs_access.ingestion import service
from srs_access.ingestion.rules import IngestionKind, IngestionStatus, sanitise_filename
from srs_access.models import IngestionRequest
from srs_access.schemas.ingestion import IngestionDecision, IngestionFileRead, IngestionRead
from srs_access.settings import AccessSettings
from srs_common.auth import CurrentPrincipal, Principal, require_roles
from srs_common.context import Now, app_settings
from srs_common.db import SessionDep
from srs_common.errors import RuleViolation, problem_responses
from srs_common.files import FileStore
from srs_common.pagination import Cursor, Limit, Page

router = APIRouter(prefix="/v1/ingestion-requests", tags=["ingestion"])
RequestId = Annotated[str, Path(max_length=40, examples=["ing_01JA"])]
Support = Annotated[Principal, Depends(require_roles("support"))]
Researcher = Annotated[Principal, Depends(require_roles("researcher"))]
Settings = Annotated[AccessSettings, Depends(app_settings)]


async def _store(settings: Settings) -> FileStore:
    return FileStore(settings.ingestion_files_dir)


Store = Annotated[FileStore, Depends(_store)]


async def _read(session: AsyncSession, request: IngestionRequest) -> IngestionRead:
    read = IngestionRead.model_validate(request)
    read.files = [
        IngestionFileRead.model_validate(f) for f in await service.files_of(session, request.id)
    ]
    return read


@router.post(
    "",
    response_model=IngestionRead,
    status_code=201,
    summary="Bring own data or code into a project space (researcher member; multipart "
    "upload); the files are checked at once",
    responses=problem_responses(401, 403, 404, 422),
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "example": {
                        "project_id": "prj_01J9Z8Q4V6",
                        "kind": "code",
                        "description": "Stata do-files that derive the security indicators",
                        "files": ["derive.do"],
                    }
                }
            }
        }
    },
)
async def create(
    session: SessionDep,
    principal: Researcher,
    settings: Settings,
    store: Store,
    now: Now,
    project_id: Annotated[str, Form(max_length=40)],
    kind: Annotated[IngestionKind, Form()],
    description: Annotated[str, Form(min_length=3, max_length=2000)],
    files: Annotated[list[UploadFile], File(description="the files (or zip/tar archives)")],
) -> IngestionRead:
    """A researcher member uploads their own data or code for the project space (201). The
    automatic check reads what the files are: packages from public repositories (CRAN,
    PyPI, a GitHub checkout...) fail it; unknown binaries are flagged for the team."""
    if len(files) > settings.ingestion_max_files:
        raise RuleViolation(
            f"at most {settings.ingestion_max_files} files a request",
            rule="too_many_files",
        )
    read: list[tuple[str, str, int, bytes]] = []
    for upload in files:
        name = sanitise_filename(upload.filename)
        if any(name == seen for seen, *_ in read):
            raise RuleViolation(f"two files are named {name}", rule="duplicate_file_name")
        sha, size, data = await store.read(upload, settings.ingestion_max_file_bytes)
        read.append((name, sha, size, data))
    request = await service.request_ingestion(
        session,
        principal,
        store,
        project_id=project_id,
        kind=kind,
        description=description,
        files=read,
        now=now,
    )
    return await _read(session, request)


@router.get(
    "",
    response_model=Page[IngestionRead],
    summary="Ingestion requests (staff: all; researcher: their projects')",
    responses=problem_responses(401, 422),
)
async def list_requests(
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Limit = 50,
    cursor: Cursor = None,
    project_id: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[IngestionStatus | None, Query()] = None,
) -> Page[IngestionRead]:
    """Staff see every ingestion request, a researcher those of the projects they are an
    active member of; newest first, keyset pagination."""
    page = await service.list_ingestions(
        session, principal, project_id=project_id, status=status, limit=limit, cursor=cursor
    )
    return page.map(IngestionRead.model_validate)


@router.get(
    "/{request_id}",
    response_model=IngestionRead,
    summary="One ingestion request with its files and the check's findings",
    responses=problem_responses(401, 404, 422),
)
async def read(
    request_id: RequestId, session: SessionDep, principal: CurrentPrincipal
) -> IngestionRead:
    """One ingestion request: status, files, the check's findings and the decision."""
    return await _read(session, await service.get_ingestion(session, principal, request_id))


@router.post(
    "/{request_id}/withdrawal",
    response_model=IngestionRead,
    summary="Withdraw before a decision (the researcher who asked)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def withdraw(
    request_id: RequestId, session: SessionDep, principal: Researcher, now: Now
) -> IngestionRead:
    """The researcher who asked withdraws the request while it awaits the team (409 once
    decided)."""
    return await _read(session, await service.withdraw(session, principal, request_id, now=now))


@router.post(
    "/{request_id}/approval",
    response_model=IngestionRead,
    summary="Approve a checked request the check passed (support)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def approve(
    request_id: RequestId,
    body: IngestionDecision,
    session: SessionDep,
    principal: Support,
    now: Now,
) -> IngestionRead:
    """The SRS team approves (audited); a request the check refused can only be refused
    (422 check_failed). The files are transferred next."""
    request = await service.decide(
        session, principal, request_id, approve=True, reason=body.reason, now=now
    )
    return await _read(session, request)


@router.post(
    "/{request_id}/refusal",
    response_model=IngestionRead,
    summary="Refuse, with the reason (support)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def refuse(
    request_id: RequestId,
    body: IngestionDecision,
    session: SessionDep,
    principal: Support,
    now: Now,
) -> IngestionRead:
    """The SRS team refuses with the reason the researcher reads (audited; the researcher
    is told by e-mail)."""
    request = await service.decide(
        session, principal, request_id, approve=False, reason=body.reason, now=now
    )
    return await _read(session, request)


@router.post(
    "/{request_id}/transfer",
    response_model=IngestionRead,
    summary="Transfer an approved request's files into the project space (support)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def transfer(
    request_id: RequestId,
    session: SessionDep,
    principal: Support,
    settings: Settings,
    store: Store,
    now: Now,
) -> IngestionRead:
    """The files are copied into the project space's store; the request records where
    (audited; the researcher is told by e-mail)."""
    request = await service.transfer(
        session, principal, store, settings.project_spaces_dir, request_id, now=now
    )
    return await _read(session, request)
