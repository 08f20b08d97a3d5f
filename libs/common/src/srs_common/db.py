"""Async SQLAlchemy 2 plumbing: engines for PostgreSQL and SQLite, one session per
request or message, and the one commit at that boundary.

Nothing below the boundary commits: service code adds, flushes and raises; the
boundary (:func:`session_dependency` for HTTP, the consumer runner for messages)
commits once, or rolls everything back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
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


# SQLSTATEs of a database that is away rather than of a wrong statement: connection
# exceptions (08), shutdown and restart (57P01-57P03), "not accepting connections" (55000,
# while a database is being dropped, renamed or closed to connections), and too many
# connections (53300).
TRANSIENT_SQLSTATES = ("08", "57P01", "57P02", "57P03", "55000", "53300")


def is_transient(exc: BaseException) -> bool:
    """A failure of the database connection rather than of the handler's logic."""
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        sqlstate = getattr(exc.orig, "sqlstate", None) or ""
        if sqlstate.startswith(TRANSIENT_SQLSTATES):
            return True
    if isinstance(exc, (OperationalError, InterfaceError, OSError, asyncio.TimeoutError)):
        return True
    cause = exc.__cause__ or exc.__context__
    return cause is not None and cause is not exc and isinstance(cause, (OSError, ConnectionError))


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
    # At most 2 x pool_size connections (what deploy/k8s budgets per pod). Keeping all of
    # them once opened spared a busy process reconnecting at every check-in (a fifth of an
    # access replica's CPU under the bench's load), but a test session's engines then held
    # twice the connections and the suite outran PostgreSQL's 100: the overflow stays.
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size)
    _ping_when_idle(engine)
    return engine


#: A pooled connection idle longer than this is pinged before use.
PING_AFTER_IDLE_SECONDS = 5.0


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Pessimistic disconnect handling without a round trip per request.

    ``pool_pre_ping`` pings on every checkout: one extra round trip on every request. A
    connection that went back to the pool moments ago is as good as the answer it just
    carried, so only connections idle for more than :data:`PING_AFTER_IDLE_SECONDS`
    (where a database restart or an idle timeout could have cut them) are pinged; a
    failed ping discards that connection and the pool tries the next (the pattern of
    SQLAlchemy's "disconnect handling - pessimistic" recipe). A connection broken while
    busy is invalidated by SQLAlchemy's disconnect detection as before.
    """
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(sync_engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("checked_in_at")
        if idle_since is None or time.monotonic() - idle_since <= PING_AFTER_IDLE_SECONDS:
            return  # new, or back in the pool a moment ago
        try:
            alive = sync_engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # noqa: BLE001 - any failure means: not usable
            raise DisconnectionError(f"stale pooled connection: {exc!r}") from exc
        if alive is False:
            raise DisconnectionError("stale pooled connection")


def conflict_insert(dialect: str, table: Any) -> Any:
    """The ``INSERT`` of PostgreSQL or SQLite (both take ``on_conflict_do_nothing`` and
    ``on_conflict_do_update``), for ``dialect`` (``session.get_bind().dialect.name``)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)


def insert_if_absent(dialect: str, table: Any, *, conflict: list[str]) -> Any:
    """``INSERT ... ON CONFLICT (conflict) DO NOTHING`` for PostgreSQL or SQLite; the
    result's ``rowcount`` is 1 when the row was new, 0 when one was already there."""
    return conflict_insert(dialect, table).on_conflict_do_nothing(index_elements=conflict)


class Database:
    """One service's engine and session factory."""

    def __init__(
        self,
        url: str,
        *,
        service: str = "service",
        messaging: Any = None,
        pool_size: int = 10,
        null_pool: bool = False,
        settings: Any = None,
    ) -> None:
        self.url = url
        self.service = service
        self.messaging = messaging
        self.engine = create_engine(url, pool_size=pool_size, null_pool=null_pool)
        # Every session carries the service's identity, outbox and settings, so handlers
        # and use cases reach policy settings through ``session.info["settings"]``.
        info = {
            "service": service,
            "outbox": messaging.outbox if messaging else None,
            "settings": settings,
            "dialect": self.engine.dialect.name,
        }
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, info=info)
        self.after_commit_hooks: list[Callable[[AsyncSession], None]] = []
        self._reader: async_sessionmaker[AsyncSession] | None = None
        #: Wakes the relay of another process after a commit that wrote outbox rows.
        self.outbox_signal: Any = None
        if messaging is not None and self.engine.dialect.name == "postgresql":
            from srs_common.events.outbox import OutboxSignal

            self.outbox_signal = OutboxSignal(self.engine)
            self.after_commit_hooks.append(self.outbox_signal.after_commit)

    @property
    def reader(self) -> async_sessionmaker[AsyncSession]:
        """Sessions for hot reads: on PostgreSQL outside a transaction, so their statements
        cost no BEGIN and COMMIT round trips (each statement still reads committed data,
        as under READ COMMITTED); on SQLite a transaction rolled back at the end. For
        reads only: on PostgreSQL a write through one would commit on its own."""
        if self._reader is None:
            engine = self.engine
            if self.dialect == "postgresql":
                engine = engine.execution_options(isolation_level="AUTOCOMMIT")
            self._reader = async_sessionmaker(engine, expire_on_commit=False)
        return self._reader

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


async def _read_session(request: Request) -> AsyncIterator[AsyncSession]:
    db: Database = request.app.state.db
    async with db.reader() as session:
        yield session


# A session for a hot read (a public register page, free places): see Database.reader.
ReadSessionDep = Annotated[AsyncSession, Depends(_read_session, scope="function")]
