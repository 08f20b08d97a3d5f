"""Pseudonymisation of operational IDs in CSV files, streamed both ways."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from srs_access import catalogue
from srs_access.pseudonymise import (
    STREAM_ERROR_HEADER,
    STREAM_ERROR_MARKER,
    CsvPseudonymisation,
    Pseudonymiser,
)
from srs_access.settings import AccessSettings
from srs_common.auth import require_roles
from srs_common.context import app_settings
from srs_common.db import SessionDep
from srs_common.errors import AppError, problem_responses

router = APIRouter(prefix="/v1", tags=["pseudonymisation"])


class DuplexStreamingResponse(StreamingResponse):
    """Streams the answer while the request body is still arriving.

    The body iterator itself reads ``receive`` (and sees a disconnect there), so
    Starlette's own disconnect listener, which on ASGI < 2.4 servers would take body
    messages away from it, must not run.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.stream_response(send)


_CSV_IN = "entref,turnover\n12345678,100\n87654321,250\n"
_CSV_OUT = "entref,turnover\nONSk1-7Q2M4R6T8V2X4Z6B3D5F7H9J,100\nONSk1-...,250\n"


@router.post(
    "/pseudonymise",
    response_class=DuplexStreamingResponse,
    summary="Replace operational-ID columns of a CSV with ONS IDs (support), streamed",
    description="The body is a UTF-8 CSV with a header row; name the columns with "
    "`columns` or take the dataset's operational-ID columns with `dataset_id`. "
    "An ONS ID is an HMAC-SHA256 of the value under the current key (or "
    "`key_id`), prefixed with the key id: the same value gives the same ONS "
    "ID in every file. No endpoint maps an ONS ID back. The first part of the "
    "file (all of a small one) is read and checked before the answer begins, "
    "so errors there (header, columns, key, a record over the length limit, "
    "text that is not UTF-8) are 4xx problem+json. A problem further on ends "
    "the 200 answer, after the rows before it, with one last line: the marker "
    f"`{STREAM_ERROR_MARKER.strip()}` (also named in the `{STREAM_ERROR_HEADER}` "
    "header), a space and the problem as JSON. A client must treat an answer "
    "ending so as failed (`srs_access.pseudonymise_client` raises).",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}, "example": _CSV_IN}},
        }
    },
    responses={
        **problem_responses(401, 403, 404, 422),
        200: {
            "description": "the CSV with ONS IDs; header `X-ONS-Key-Id`; an "
            "error trailer line if it had to stop",
            "content": {"text/csv": {"example": _CSV_OUT}},
        },
    },
    dependencies=[Depends(require_roles("support"))],
)
async def pseudonymise(
    request: Request,
    session: SessionDep,
    settings: Annotated[AccessSettings, Depends(app_settings)],
    columns: Annotated[list[str] | None, Query(max_length=50, examples=[["entref"]])] = None,
    dataset_id: Annotated[str | None, Query(max_length=100)] = None,
    key_id: Annotated[str | None, Query(max_length=40)] = None,
) -> DuplexStreamingResponse:
    names = list(columns or [])
    if dataset_id is not None:
        names += (await catalogue.get_dataset(session, dataset_id)).operational_id_columns
    if not names:
        raise AppError(
            "name the columns to pseudonymise (`columns`) or a `dataset_id` with "
            "operational-ID columns",
            status=422,
            title="No columns named",
        )
    key_id = key_id or settings.pseudonymisation_current_key_id
    secret = settings.pseudonymisation_keys.get(key_id)
    if secret is None:
        raise AppError(f"no pseudonymisation key {key_id}", status=422, title="Unknown key id")
    job = CsvPseudonymisation(
        request.stream(),
        Pseudonymiser(key_id, secret.get_secret_value().encode()),
        list(dict.fromkeys(names)),
        settings.pseudonymisation_max_record_bytes,
        settings.pseudonymisation_check_before_streaming_bytes,
    )
    await job.read_header()
    return DuplexStreamingResponse(
        job.stream(),
        media_type="text/csv; charset=utf-8",
        headers={"X-ONS-Key-Id": key_id, STREAM_ERROR_HEADER: STREAM_ERROR_MARKER.strip()},
    )
