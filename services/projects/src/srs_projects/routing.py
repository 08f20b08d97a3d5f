"""What the routes of every feature share: who may call them, the settings, and the
problem responses every project route documents."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from srs_common.auth import Principal, require_roles, require_scope
from srs_common.context import app_settings
from srs_projects.settings import ProjectsSettings

Researcher = Annotated[Principal, Depends(require_roles("researcher"))]


Panel = Annotated[Principal, Depends(require_roles("panel"))]


Support = Annotated[Principal, Depends(require_roles("support"))]


# Who decides member requests depends on a setting; the service checks which of the two.
MemberApprover = Annotated[Principal, Depends(require_roles("support", "panel"))]


# Anyone signed in (visibility decides what they see); partner clients need projects:read.
ProjectReader = Annotated[Principal, Depends(require_scope("projects:read"))]


Settings = Annotated[ProjectsSettings, Depends(app_settings)]


# 422 too: any path parameter can be invalid, and the error is problem+json, not
# FastAPI's default application/json.
AUTH = (401, 403, 404, 422)
