"""Downloading a file of a request (authorised and audited)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from srs_clearance.deps import NOT_VISIBLE, Store
from srs_clearance.downloads import service
from srs_common.auth import CurrentPrincipal
from srs_common.context import Now
from srs_common.db import SessionDep
from srs_common.errors import NotFound, problem_responses

router = APIRouter(prefix="/v1", tags=["clearance"])


@router.get(
    "/outputs/{output_id}/files/{file_id}",
    response_class=FileResponse,
    summary="Download a file (authorised and audited)",
    responses={
        **problem_responses(401, NOT_VISIBLE),
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
) -> FileResponse:
    """The file's bytes, for the requester and checkers; every download is recorded in the audit
    trail."""
    stored = await service.file_for_download(session, principal, output_id, file_id, now)
    path = store.path_of(stored.sha256)
    if not path.exists():
        raise NotFound(f"file {file_id} not found")
    return FileResponse(path, media_type=stored.content_type, filename=stored.filename)
