"""The clock and the settings a route reads: one FastAPI dependency each.

Routes take ``now: Now`` and ``settings: <Service>Settings`` (an ``Annotated`` alias over
:func:`app_settings`) instead of calling ``utcnow()`` or building settings themselves, so
a test moves time or changes a setting in one place:

- ``app.dependency_overrides[now] = lambda: FIXED`` (one app, one override), or
- ``app.state.clock = callable`` (a clock the test moves while requests run).

Settings come from ``app.state.settings``, which the app factory sets when it builds the
app; below the routes (event handlers, jobs, use cases given only a session) from
:func:`settings_of`, which reads the settings every service session carries. Nothing
constructs a default ``Settings()`` of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

from fastapi import Depends, Request

from srs_common.config import ServiceSettings
from srs_common.db import utcnow

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

Clock = Callable[[], dt.datetime]
S = TypeVar("S", bound=ServiceSettings)


# ``async def``: FastAPI runs a plain ``def`` dependency in a thread pool (a thread hop per
# request for nothing).
async def now(request: Request) -> dt.datetime:
    """The current time every rule reads: ``app.state.clock()`` when a test set one, else
    the wall clock (UTC, timezone-aware)."""
    clock: Clock | None = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else utcnow()


async def app_settings(request: Request) -> ServiceSettings:
    """The settings the app was built with (``app.state.settings``)."""
    settings: ServiceSettings = request.app.state.settings
    return settings


def settings_of(session: AsyncSession, kind: type[S]) -> S:
    """The service's settings a session carries (``srs_common.db.Database(settings=...)``);
    a session without them is a wiring mistake, never a reason to read defaults."""
    settings = session.info.get("settings")
    if not isinstance(settings, kind):
        raise RuntimeError(f"this session carries no {kind.__name__} (Database(settings=...))")
    return settings


#: The request's "now": ``async def route(now: Now)``.
Now = Annotated[dt.datetime, Depends(now)]
#: The app's settings as the shared base type; a service aliases its own subclass:
#: ``Settings = Annotated[BookingSettings, Depends(app_settings)]``.
AppSettings = Annotated[ServiceSettings, Depends(app_settings)]
