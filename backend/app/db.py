"""Connections to the task database: the engine, its pool, and the per-request user context."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import URL, event, make_url, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from app.core.config import Settings

# Row-level security on PostgreSQL reads the caller from this setting (see the migrations).
USER_SETTING = "app.user_id"
_SET_USER = text(f"SELECT set_config('{USER_SETTING}', :user_id, true)")
_PING = text("SELECT 1")


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


class Database:
    def __init__(self, settings: Settings) -> None:
        self.url = database_url(settings.database_url, asynchronous=True)
        self.is_postgres = is_postgres(self.url)
        self.timeout = settings.db_timeout_seconds
        connect_args: dict[str, Any] = (
            {"timeout": self.timeout, "command_timeout": self.timeout * 2}
            if self.is_postgres
            else {"timeout": self.timeout}
        )
        # A fixed pool with no overflow: connections are not opened and closed under load.
        self.engine: AsyncEngine = create_async_engine(
            self.url,
            pool_size=settings.db_pool_size,
            max_overflow=0,
            pool_timeout=self.timeout,
            pool_recycle=1800,
            connect_args=connect_args,
        )
        if not self.is_postgres:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)

    @asynccontextmanager
    async def transaction(self, user_id: str) -> AsyncIterator[AsyncConnection]:
        """A transaction that commits on success and in which the database knows the caller."""
        async with self.engine.begin() as connection:
            if self.is_postgres:
                await connection.execute(_SET_USER, {"user_id": user_id})
            yield connection

    async def ping(self) -> None:
        async with asyncio.timeout(self.timeout), self.engine.connect() as connection:
            await connection.execute(_PING)

    async def close(self) -> None:
        await self.engine.dispose()
