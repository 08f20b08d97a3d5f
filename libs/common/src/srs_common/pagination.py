"""Cursor pagination: opaque cursors, a capped ``limit``, a ``next`` link.

A cursor encodes the sort key of the last item served (e.g. ``[created_at, id]``), so
pages stay stable while rows are inserted, unlike offsets.
"""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from srs_common.errors import AppError

T = TypeVar("T")

MAX_LIMIT = 200


class Page(BaseModel, Generic[T]):
    items: list[T]
    next: str | None = Field(None, description="cursor for the next page; absent on the last")


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str | None) -> list[Any] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        raise AppError(
            "the cursor is not one this API issued", status=422, title="Invalid cursor"
        ) from None
    if not isinstance(values, list):
        raise AppError("the cursor is not one this API issued", status=422, title="Invalid cursor")
    return values


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size (at most 200)")]
Cursor = Annotated[str | None, Query(max_length=512, description="`next` from the previous page")]
