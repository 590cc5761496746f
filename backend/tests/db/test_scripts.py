"""Database.run_script: several statements in one transaction, run as one caller, on either
database; a statement's RETURNING row feeds the statements after it."""

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Executable, bindparam, func, insert, select

from app.core.config import Settings
from app.db import CALLER, database_for
from app.migrations import migrate
from app.models import task
from tests.conftest import TEST_DATABASE_URL, make_settings
from tests.support import new_user

OWNED = task.c.user_id == bindparam(CALLER)


def new_task(title: str | None) -> Any:
    now = datetime.now(UTC)
    return insert(task).values(
        user_id=bindparam(CALLER), title=title, created_at=now, updated_at=now
    )


def run(settings: Settings, user: str, statements: Sequence[Executable]) -> list[dict[str, Any]]:
    async def go() -> list[dict[str, Any]]:
        database = database_for(settings)
        await database.open()
        try:
            return await database.run_script(user, statements)
        finally:
            await database.close()

    return asyncio.run(go())


@pytest.fixture(params=["session", "transaction"])
def migrated(request: pytest.FixtureRequest, database_url: str) -> Settings:
    """Both ways of running a script on PostgreSQL (DB_POOLER_MODE); SQLite has one."""
    if request.param == "transaction" and not TEST_DATABASE_URL:
        pytest.skip("DB_POOLER_MODE applies to PostgreSQL")
    migrate(database_url)
    return make_settings(database_url, db_pooler_mode=request.param)


def test_a_returned_row_feeds_the_later_statements(migrated: Settings) -> None:
    user = new_user()
    created = new_task("fed").returning(task.c.id.label("new_id"), task.c.title.label("t"))
    read_back = select(task.c.id, task.c.title).where(OWNED, task.c.id == bindparam("new_id"))
    (row,) = run(migrated, user, [created, read_back])
    assert row["title"] == "fed"
    assert isinstance(row["id"], int)


def test_a_failing_statement_undoes_the_ones_before(migrated: Settings) -> None:
    user = new_user()
    count = select(func.count().label("n")).where(OWNED)
    with pytest.raises(Exception, match=r"(?i)null"):
        run(migrated, user, [new_task("kept?"), new_task(None), count])
    assert run(migrated, user, [count]) == [{"n": 0}]
    assert run(migrated, user, [new_task("one"), new_task("two"), count]) == [{"n": 2}]
