"""SQLite, the embedded default for development and tests, through SQLAlchemy."""

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import URL, CursorResult, Executable, event, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.core.config import Settings
from app.db.base import CALLER, NO_PARAMS, PING, Row
from app.db.portable import SQLITE_LOWER


def _lower(value: str | None) -> str | None:
    return None if value is None else value.lower()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the writer; the busy timeout makes writers queue, not fail.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    dbapi_connection.create_function(SQLITE_LOWER, 1, _lower, deterministic=True)


def _rows(result: CursorResult[Any]) -> list[Row]:
    # Plain str keys, as asyncpg's: SQLAlchemy's are a str subclass orjson refuses.
    keys = list(map(str, result.keys()))
    return [dict(zip(keys, row, strict=True)) for row in result]


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

    async def open(self) -> None:
        """Connections open on first use."""

    async def run(
        self, user_id: str, statement: Executable, params: Mapping[str, Any] = NO_PARAMS
    ) -> list[Row]:
        async with self.engine.begin() as connection:
            return _rows(await connection.execute(statement, {**params, CALLER: user_id}))

    async def run_script(
        self, user_id: str, statements: Sequence[Executable], params: Mapping[str, Any] = NO_PARAMS
    ) -> list[Row]:
        *leading, last = statements
        values = {**params, CALLER: user_id}
        # crud.py starts every script with a write, so SQLite takes its write lock at once
        # (upgrading a read to a write fails outright when another writer holds the lock).
        async with self.engine.begin() as connection:
            for statement in leading:
                result = await connection.execute(statement, values)
                if result.returns_rows:
                    # No row: its columns are null for the steps after it, as on PostgreSQL.
                    row = result.mappings().first()
                    values.update(row if row is not None else dict.fromkeys(result.keys()))
            return _rows(await connection.execute(last, values))

    async def ping(self) -> None:
        async with asyncio.timeout(self.timeout), self.engine.connect() as connection:
            await connection.execute(text(PING))

    async def close(self) -> None:
        await self.engine.dispose()
