"""Who may call a route, and the settings a route reads: shared by every feature's routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from srs_accreditation.settings import AccreditationSettings
from srs_common.auth import Principal, require_roles, require_scope
from srs_common.context import app_settings
from srs_common.db import Database

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


async def _read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for a hot read: on PostgreSQL outside a transaction, so its statements
    cost no BEGIN and COMMIT round trips (each statement still reads committed data, as
    it would under READ COMMITTED); on SQLite a transaction rolled back at the end.
    For reads only: on PostgreSQL a write through it would commit on its own."""
    db: Database = request.app.state.db
    sessions = getattr(request.app.state, "read_sessions", None)
    if sessions is None:
        engine = db.engine
        if db.dialect == "postgresql":
            engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        request.app.state.read_sessions = sessions
    async with sessions() as session:
        yield session


ReadSession = Annotated[AsyncSession, Depends(_read_session, scope="function")]
