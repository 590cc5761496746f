"""Connections to the task database, and transactions in which the database knows the caller.

PostgreSQL, the production database, is driven through asyncpg directly: SQLAlchemy's async
layer (greenlets, cursor emulation, result processing) cost more CPU per request than the rest
of the request together (see bench/README.md). SQLite, for development and tests, goes through
SQLAlchemy. Both run the same SQLAlchemy Core statements (app/crud.py).
"""

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import asyncpg
from sqlalchemy import URL, Executable, event, make_url, text
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from app.core.config import Settings

# Row-level security on PostgreSQL reads the caller from this setting (see the migrations).
USER_SETTING = "app.user_id"
_PING = "SELECT 1"
_NO_PARAMS: Mapping[str, Any] = {}

Row = dict[str, Any]


class Transaction(Protocol):
    async def fetch(
        self, statement: Executable, params: Mapping[str, Any] = _NO_PARAMS
    ) -> list[Row]:
        """Run one statement; its rows (none for a statement without RETURNING) as dicts."""
        ...


class Database(Protocol):
    async def open(self) -> None: ...

    def transaction(self, user_id: str) -> AbstractAsyncContextManager[Transaction]:
        """A transaction that commits on success and in which the database knows the caller."""
        ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


def is_postgres(url: URL) -> bool:
    return url.get_backend_name() == "postgresql"


def database_url(raw: str, *, asynchronous: bool) -> URL:
    """The configured URL with the driver this process uses (asyncpg/aiosqlite, psycopg/sqlite3).

    A plain `postgresql://` URL as Neon hands it out works: libpq's `sslmode` becomes
    asyncpg's `ssl`, and `channel_binding`, which asyncpg does not take, is dropped.
    """
    url = make_url(raw)
    if url.drivername in {"postgres", "postgresql"} or is_postgres(url):
        if not asynchronous:
            return url.set(drivername="postgresql+psycopg")
        query = dict(url.query)
        query.pop("channel_binding", None)
        if "sslmode" in query:
            query["ssl"] = query.pop("sslmode")
        return url.set(drivername="postgresql+asyncpg", query=query)
    if url.get_backend_name() == "sqlite":
        return url.set(drivername="sqlite+aiosqlite" if asynchronous else "sqlite")
    raise ValueError(f"unsupported database: {url.get_backend_name()} (use PostgreSQL or SQLite)")


def ensure_sqlite_directory(url: URL) -> None:
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the writer; the busy timeout makes writers queue, not fail.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def database_for(settings: Settings) -> Database:
    url = database_url(settings.database_url, asynchronous=True)
    return PostgresDatabase(url, settings) if is_postgres(url) else SqliteDatabase(url, settings)


_ASYNCPG = asyncpg_dialect()


@lru_cache(maxsize=256)
def _compiled(statement: Executable) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """The statement's SQL for asyncpg, its parameter names in order, and their defaults.

    Compiled once per statement: crud.py builds its statements once (and the variants of an
    update once each), so this is a cache of a handful of entries.
    """
    compiled = statement.compile(dialect=_ASYNCPG)
    return str(compiled), tuple(compiled.positiontup or ()), compiled.params


class _AsyncpgTransaction:
    __slots__ = ("_connection",)

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def fetch(
        self, statement: Executable, params: Mapping[str, Any] = _NO_PARAMS
    ) -> list[Row]:
        sql, names, defaults = _compiled(statement)
        values = {**defaults, **params}
        records = await self._connection.fetch(sql, *[values[name] for name in names])
        return [dict(record) for record in records]


async def _rollback_if_open(connection: asyncpg.Connection) -> None:
    # Replaces asyncpg's reset on release (RESET ALL, UNLISTEN, CLOSE ALL...: a round trip
    # per request). The API uses transaction-local settings only, so ending a transaction
    # left open by an error is all the cleaning a connection needs.
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


class PostgresDatabase:
    def __init__(self, url: URL, settings: Settings) -> None:
        self.timeout = settings.db_timeout_seconds
        self._pool_size = settings.db_pool_size
        # The same keywords SQLAlchemy's asyncpg dialect passes (ssl from sslmode included).
        self._connect_args: dict[str, Any] = {
            **url.translate_connect_args(username="user"),
            **url.query,
        }
        self._pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        # No connection is opened here: the API starts (and says "not ready") without its
        # database, and connects once the database answers.
        self._pool = await asyncpg.create_pool(
            min_size=0,
            max_size=self._pool_size,
            max_inactive_connection_lifetime=1800,
            timeout=self.timeout,
            command_timeout=self.timeout * 2,
            reset=_rollback_if_open,
            **self._connect_args,
        )

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the database is not open (await database.open() first)")
        return self._pool

    @asynccontextmanager
    async def transaction(self, user_id: str) -> AsyncIterator[Transaction]:
        # asyncio.timeout rather than acquire(timeout=...), which waits in a task of its own.
        async with asyncio.timeout(self.timeout):
            connection = await self.pool.acquire()
        try:
            # BEGIN and the caller's id in one round trip. A multi-statement query cannot
            # take parameters, so the id travels hex-encoded: nothing in it can end the literal.
            await connection.execute(
                f"BEGIN; SELECT set_config('{USER_SETTING}', "
                f"convert_from(decode('{user_id.encode().hex()}', 'hex'), 'UTF8'), true)"
            )
            yield _AsyncpgTransaction(connection)
            await connection.execute("COMMIT")
        finally:
            # After an error there was no COMMIT: the release rolls back (_rollback_if_open).
            await self.pool.release(connection)

    async def ping(self) -> None:
        async with asyncio.timeout(self.timeout), self.pool.acquire() as connection:
            await connection.fetchval(_PING)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()


class _SqlAlchemyTransaction:
    __slots__ = ("_connection",)

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def fetch(
        self, statement: Executable, params: Mapping[str, Any] = _NO_PARAMS
    ) -> list[Row]:
        result = await self._connection.execute(statement, dict(params))
        return [dict(row._mapping) for row in result] if result.returns_rows else []


class SqliteDatabase:
    """SQLite has no row-level security: the queries' user filter is all there is."""

    def __init__(self, url: URL, settings: Settings) -> None:
        self.timeout = settings.db_timeout_seconds
        # A fixed pool with no overflow: connections are not opened and closed under load.
        self.engine: AsyncEngine = create_async_engine(
            url,
            pool_size=settings.db_pool_size,
            max_overflow=0,
            pool_timeout=self.timeout,
            pool_recycle=1800,
            connect_args={"timeout": self.timeout},
        )
        event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)

    async def open(self) -> None:
        """Connections open on first use."""

    @asynccontextmanager
    async def transaction(self, user_id: str) -> AsyncIterator[Transaction]:
        async with self.engine.begin() as connection:
            yield _SqlAlchemyTransaction(connection)

    async def ping(self) -> None:
        async with asyncio.timeout(self.timeout), self.engine.connect() as connection:
            await connection.execute(text(_PING))

    async def close(self) -> None:
        await self.engine.dispose()
