"""SQLite, the embedded default for development and tests, through SQLAlchemy."""

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import URL, CursorResult, Executable, event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from app.core.config import Settings
from app.core.folding import fold
from app.db.base import CALLER, NO_PARAMS, PING, Row
from app.db.portable import SQLITE_FOLD, SQLITE_LOWER


def _lower(value: str | None) -> str | None:
    return None if value is None else value.lower()


def _fold(value: str | None) -> str | None:
    return None if value is None else fold(value)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the writer. Writers queue for the write lock, not fail: as
    # long as the database budget allows (the driver's `timeout`, set from DB_TIMEOUT_SECONDS
    # in SqliteDatabase; a busy_timeout pragma here would replace it with a time of its own).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    dbapi_connection.create_function(SQLITE_LOWER, 1, _lower, deterministic=True)
    dbapi_connection.create_function(SQLITE_FOLD, 1, _fold, deterministic=True)


def _rows(result: CursorResult[Any]) -> list[Row]:
    # Plain str keys, as asyncpg's: SQLAlchemy's are a str subclass orjson refuses.
    keys = list(map(str, result.keys()))
    return [dict(zip(keys, row, strict=True)) for row in result]


async def _script(
    connection: AsyncConnection, statements: Sequence[Executable], values: dict[str, Any]
) -> list[Row]:
    """The statements in order on `connection`, each one's returned row feeding the later
    ones; the last one's rows."""
    *leading, last = statements
    for statement in leading:
        result = await connection.execute(statement, values)
        if result.returns_rows:
            # No row: what it would have returned is null for the later steps, as on
            # PostgreSQL (a write that found no room, say).
            row = result.mappings().first()
            values.update(row if row is not None else dict.fromkeys(result.keys()))
    return _rows(await connection.execute(last, values))


class _SqliteTransaction:
    def __init__(self, connection: AsyncConnection, user_id: str) -> None:
        self._connection = connection
        self._user_id = user_id

    async def run(self, statement: Executable, params: Mapping[str, Any] = NO_PARAMS) -> list[Row]:
        return _rows(await self._connection.execute(statement, {**params, CALLER: self._user_id}))

    async def run_script(
        self, statements: Sequence[Executable], params: Mapping[str, Any] = NO_PARAMS
    ) -> list[Row]:
        return await _script(self._connection, statements, {**params, CALLER: self._user_id})

    async def run_many(
        self, statement: Executable, params: Sequence[Mapping[str, Any]]
    ) -> list[Row]:
        if not params:
            return []
        values = [{**row, CALLER: self._user_id} for row in params]
        result = await self._connection.execute(statement, values)
        return _rows(result) if result.returns_rows else []


def _nobody(_user_id: str) -> None:
    """No one to tell of a write (no stream: SqliteDatabase.on_write)."""


class SqliteDatabase:
    """SQLite has no row-level security: the queries' user filter is all there is."""

    def __init__(self, url: URL, settings: Settings) -> None:
        self.timeout = settings.db_timeout_seconds
        # Up to pool_size connections, no overflow: once open, they are kept, not opened and
        # closed under load.
        self.engine: AsyncEngine = create_async_engine(
            url,
            pool_size=settings.db_pool_size,
            max_overflow=0,
            pool_timeout=self.timeout,
            pool_recycle=1800,
            connect_args={"timeout": self.timeout},
        )
        event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._written: Callable[[str], None] = _nobody

    def on_write(self, written: Callable[[str], None]) -> None:
        """Calls `written(user_id)` after each transaction that wrote, once committed: one
        process owns the file, so this is how its event streams learn of a change (PostgreSQL
        notifies instead: app/db/listen.py)."""
        self._written = written

    async def open(self) -> None:
        """Connections open on first use."""

    async def run(
        self, user_id: str, statement: Executable, params: Mapping[str, Any] = NO_PARAMS
    ) -> list[Row]:
        async with self.engine.begin() as connection:
            rows = _rows(await connection.execute(statement, {**params, CALLER: user_id}))
        if statement.is_dml:
            self._written(user_id)
        return rows

    async def run_script(
        self, user_id: str, statements: Sequence[Executable], params: Mapping[str, Any] = NO_PARAMS
    ) -> list[Row]:
        # app/statements.py starts every script with a write (after the user's lock, which
        # reads nothing on SQLite), so SQLite takes its write lock at once (upgrading a read to
        # a write fails outright when another writer holds the lock).
        async with self.engine.begin() as connection:
            rows = await _script(connection, statements, {**params, CALLER: user_id})
        if any(statement.is_dml for statement in statements):
            self._written(user_id)
        return rows

    @asynccontextmanager
    async def transaction(self, user_id: str) -> AsyncIterator[_SqliteTransaction]:
        # The caller's first statement should be a write (see run_script).
        async with self.engine.begin() as connection:
            yield _SqliteTransaction(connection, user_id)
        self._written(user_id)

    async def ping(self) -> None:
        async with asyncio.timeout(self.timeout), self.engine.connect() as connection:
            await connection.execute(text(PING))

    def pool_usage(self) -> tuple[int, int, int]:
        pool: Any = self.engine.pool  # a QueuePool (pool_size above)
        return pool.checkedout(), pool.checkedin(), pool.size()

    async def close(self) -> None:
        await self.engine.dispose()
