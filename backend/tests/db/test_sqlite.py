"""SQLite's connections: a writer waiting for the file's write lock waits as long as the
database budget (DB_TIMEOUT_SECONDS) allows, not a fixed time of its own."""

import asyncio
from pathlib import Path

from sqlalchemy import text

from app.db import database_for
from app.db.sqlite import SqliteDatabase
from tests.conftest import make_settings


def test_the_lock_wait_is_the_database_budget(tmp_path: Path) -> None:
    settings = make_settings(f"sqlite:///{tmp_path / 'todo.db'}", db_timeout_seconds=7.5)

    async def busy_timeout() -> int:
        database = database_for(settings)
        assert isinstance(database, SqliteDatabase)
        try:
            async with database.engine.connect() as connection:
                return int((await connection.execute(text("PRAGMA busy_timeout"))).scalar_one())
        finally:
            await database.close()

    assert asyncio.run(busy_timeout()) == 7500
