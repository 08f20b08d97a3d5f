"""Async SQLAlchemy 2 plumbing: engines for PostgreSQL and SQLite, one session per
request or message, and the one commit at that boundary.

Nothing below the boundary commits: service code adds, flushes and raises; the
boundary (:func:`session_dependency` for HTTP, the consumer runner for messages)
commits once, or rolls everything back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def naming_metadata() -> MetaData:
    """A MetaData with the platform's constraint naming convention (stable migrations)."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC timestamps on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, pool_size: int = 10, null_pool: bool = False) -> AsyncEngine:
    """Create an async engine; SQLite gets WAL, a busy timeout and write-locking
    transactions so that concurrent writers queue instead of failing."""
    if is_sqlite(url):
        engine = create_async_engine(
            url,
            poolclass=NullPool if null_pool else None,
            connect_args={"timeout": 30},
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the driver, decide when transactions begin.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # IMMEDIATE takes the write lock up front: two writers can never deadlock
            # upgrading read locks, so "exactly one wins" races are decided by constraints.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if null_pool:
        return create_async_engine(url, poolclass=NullPool)
    return create_async_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
    )


class Database:
    """One service's engine and session factory."""

    def __init__(self, url: str, *, service: str = "service", messaging: Any = None,
                 pool_size: int = 10, null_pool: bool = False, settings: Any = None) -> None:
        self.url = url
        self.service = service
        self.messaging = messaging
        self.engine = create_engine(url, pool_size=pool_size, null_pool=null_pool)
        # Every session carries the service's identity, outbox and settings, so handlers
        # and use cases reach policy settings through ``session.info["settings"]``.
        info = {"service": service, "outbox": messaging.outbox if messaging else None,
                "settings": settings}
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, info=info)
        self.after_commit_hooks: list[Callable[[AsyncSession], None]] = []

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits once at the end, or rolls back on error."""
        async with self.sessionmaker() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
        for hook in self.after_commit_hooks:
            hook(session)

    async def dispose(self) -> None:
        await self.engine.dispose()


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    db: Database = request.app.state.db
    async with db.transaction() as session:
        yield session


# scope="function": the commit happens before the response is sent (FastAPI >= 0.118
# would otherwise run the code after ``yield`` once the client already has its answer).
SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]
