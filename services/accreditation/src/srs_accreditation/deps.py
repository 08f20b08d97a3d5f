"""Who may call a route, and the settings a route reads: shared by every feature's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from srs_accreditation.settings import AccreditationSettings
from srs_common.auth import Principal, require_roles, require_scope
from srs_common.context import app_settings
from srs_common.db import ReadSessionDep

Researcher = Annotated[Principal, Depends(require_roles("researcher"))]
Panel = Annotated[Principal, Depends(require_roles("panel"))]
Support = Annotated[Principal, Depends(require_roles("support"))]
# Anyone signed in (visibility decides what they see); partner clients need the scope.
ResearcherReader = Annotated[Principal, Depends(require_scope("researchers:read"))]
ApplicationReader = Annotated[Principal, Depends(require_scope("applications:read"))]
# A researcher for themself, or a partner client (applications:write) for its organisation.
Applicant = Annotated[Principal, Depends(require_roles("researcher", "partner"))]
APPLICATIONS_WRITE = [Depends(require_scope("applications:write"))]


Settings = Annotated[AccreditationSettings, Depends(app_settings)]


# A session for hot reads (srs_common.db.Database.reader).
ReadSession = ReadSessionDep
