"""Drafting routes: the request, its groups, the upload of its files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile, status

from srs_clearance import domain
from srs_clearance.deps import CHANGE_ERRORS, Researcher, Settings, Store
from srs_clearance.domain import OutputAction
from srs_clearance.drafting import service
from srs_clearance.drafting.schemas import GroupCreate, OutputCreate
from srs_clearance.outputs import visibility
from srs_clearance.outputs.schemas import FileRead, GroupRead, OutputRead
from srs_clearance.outputs.service import output_read
from srs_clearance.sdc import checks
from srs_common.context import Now
from srs_common.db import SessionDep
from srs_common.errors import Forbidden

router = APIRouter(prefix="/v1", tags=["clearance"])


@router.post(
    "/outputs",
    status_code=status.HTTP_201_CREATED,
    response_model=OutputRead,
    summary="Draft an output request (active member of an active project)",
    responses=CHANGE_ERRORS,
)
async def create_output(
    data: OutputCreate, session: SessionDep, principal: Researcher, now: Now
) -> OutputRead:
    """Creates a draft output request for a project the caller is an active member of (201); groups
    and files are added before it is submitted."""
    output = await service.create_output(session, principal, data, now)
    return await output_read(session, output, now, principal)


@router.post(
    "/outputs/{output_id}/groups",
    status_code=status.HTTP_201_CREATED,
    response_model=GroupRead,
    summary="Add a group of files with its context and controls (draft, requester)",
    responses=CHANGE_ERRORS,
)
async def add_group(
    output_id: str, data: GroupCreate, session: SessionDep, principal: Researcher, now: Now
) -> GroupRead:
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
    responses=CHANGE_ERRORS,
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
) -> FileRead:
    # Authorise and check the type before storing anything.
    """A multipart upload of one file into a group: at most 16 MB and one of the allowed file types
    (422 otherwise); the file is stored and scanned by the checks at submission."""
    output = await visibility.visible_output(session, principal, output_id)
    if not visibility.is_requester(principal, output):
        raise Forbidden("only the requester may change or answer for this request")
    domain.transition(output.status, OutputAction.CHANGE)
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
