"""Identifiers: a short type prefix and a random UUID, e.g. ``prj_3f2a...``."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Path


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


# An integer row id in a path: bounded, so an absurd id is a 422, never a database error.
RowId = Annotated[int, Path(ge=1, le=2**63 - 1, description="row id")]
