"""Who may call a route, and the settings a route reads: shared by every feature's routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from srs_booking.settings import BookingSettings
from srs_common.auth import Principal, require_roles
from srs_common.context import app_settings
from srs_common.db import Database

Settings = Annotated[BookingSettings, Depends(app_settings)]
Researcher = Annotated[Principal, Depends(require_roles("researcher"))]
Support = Annotated[Principal, Depends(require_roles("support"))]
ResearcherOrSupport = Annotated[Principal, Depends(require_roles("researcher", "support"))]


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
