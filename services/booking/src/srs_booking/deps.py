"""Who may call a route, and the settings a route reads: shared by every feature's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from srs_booking.settings import BookingSettings
from srs_common.auth import Principal, require_roles
from srs_common.context import app_settings
from srs_common.db import ReadSessionDep

Settings = Annotated[BookingSettings, Depends(app_settings)]
Researcher = Annotated[Principal, Depends(require_roles("researcher"))]
Support = Annotated[Principal, Depends(require_roles("support"))]
ResearcherOrSupport = Annotated[Principal, Depends(require_roles("researcher", "support"))]


# A session for hot reads (srs_common.db.Database.reader).
ReadSession = ReadSessionDep
