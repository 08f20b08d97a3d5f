"""The routes' shared dependencies: who the caller must be, the settings, the file store."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from srs_clearance.settings import ClearanceSettings
from srs_clearance.storage import FileStore
from srs_common.auth import Principal, require_roles, require_scope
from srs_common.context import app_settings
from srs_common.errors import problem_responses

Researcher = Annotated[Principal, Depends(require_roles("researcher"))]


Checker = Annotated[Principal, Depends(require_roles("checker"))]


# Anyone signed in (visibility decides); partner clients need outputs:read.
OutputStatusReader = Annotated[Principal, Depends(require_scope("outputs:read"))]


Settings = Annotated[ClearanceSettings, Depends(app_settings)]


async def _store(settings: Settings) -> FileStore:
    return FileStore(settings.outputs_dir)


Store = Annotated[FileStore, Depends(_store)]


# The errors of the routes on one request, each described once.
NOT_VISIBLE = {404: "no such output request, or not the caller's to see"}
ILLEGAL = {409: "illegal transition: names the current state"}
INVALID = {422: "invalid input, or a rule not met (names the field or rule)"}
# Reading one request; acting on it (a transition); changing it with a body.
READ_ERRORS = problem_responses(401, 403, NOT_VISIBLE)
TRANSITION_ERRORS = problem_responses(401, 403, NOT_VISIBLE, ILLEGAL)
CHANGE_ERRORS = problem_responses(401, 403, NOT_VISIBLE, ILLEGAL, INVALID)
