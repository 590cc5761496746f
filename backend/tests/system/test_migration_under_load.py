"""On PostgreSQL: migration 0004 applied while the previous release's statements keep running
on a warm connection pool. Each pooled connection already holds those statements' functions
(with the result types of the day, see app/db/postgres.py); the migration must neither break
them (it changes no existing column) nor stall them (its indexes are built concurrently), and
the rows written meanwhile must come out whole under the new release."""

import asyncio
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Executable,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)

from app.db import CALLER, database_for
from app.main import create_app
from app.migrations import migrate
from devtools import postgres_database
from tests.conftest import TEST_DATABASE_URL, make_settings
from tests.support import auth, new_user, token, wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL"),
]

WORKERS = 8
# Calls before the migration (by then every pooled connection has its functions) and after it.
WARM_CALLS = 40 * WORKERS
AFTER_CALLS = 40 * WORKERS

# The task table as the previous release knew it, and its statements, as it sent them.
old_task = Table(
    "task",
    MetaData(),
    Column("id", BigInteger, primary_key=True),
    Column("user_id", String(255)),
    Column("title", String(200)),
    Column("description", String(2000)),
    Column("completed", Boolean),
    Column("created_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
)
PUBLIC = [c for c in old_task.c if c.name != "user_id"]
OWNED = old_task.c.user_id == bindparam(CALLER)
THIS = old_task.c.id == bindparam("task_id")
LIST = (
    select(*PUBLIC)
    .where(OWNED)
    .order_by(old_task.c.created_at.desc(), old_task.c.id.desc())
    .limit(bindparam("limit"))
)
CREATE = (
    insert(old_task)
    .values(
        user_id=bindparam(CALLER),
        title=bindparam("new_title"),
        completed=False,
        created_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
    .returning(*PUBLIC)
)
COMPLETE = (
    update(old_task)
    .where(OWNED, THIS)
    .values(completed=bindparam("new_completed"), updated_at=bindparam("now"))
    .returning(*PUBLIC)
)
COUNT = select(func.count().label("n")).where(OWNED)
DELETE = delete(old_task).where(OWNED, THIS).returning(old_task.c.id)


async def serve(database: Any, user: str, stop: threading.Event, seen: dict[str, Any]) -> None:
    """One client of the previous release: create, complete, list, count, now and then delete."""
    own: list[int] = []
    while not stop.is_set():
        now = datetime.now(UTC)
        calls: list[tuple[Executable, dict[str, Any]]] = [
            (CREATE, {"new_title": f"{user} {len(own)}", "now": now}),
            (LIST, {"limit": 20}),
            (COUNT, {}),
        ]
        if own:
            calls.append((COMPLETE, {"task_id": own[-1], "new_completed": True, "now": now}))
        if len(own) > 5:
            calls.append((DELETE, {"task_id": own.pop(0)}))
        for statement, params in calls:
            try:
                rows = await database.run(user, statement, params)
            except Exception as error:  # every failure is the finding
                seen["errors"].append(f"{type(error).__name__}: {error}")
                continue
            seen["calls"] += 1
            if statement is CREATE:
                own.append(rows[0]["id"])
        await asyncio.sleep(0)
    seen["kept"][user] = own


def test_migrating_under_a_warm_pool_breaks_and_loses_nothing() -> None:
    assert TEST_DATABASE_URL
    with postgres_database(TEST_DATABASE_URL) as url:
        migrate(url, "0002")
        settings = make_settings(url, auto_migrate=False, db_pool_size=WORKERS)
        seen: dict[str, Any] = {"errors": [], "calls": 0, "kept": {}}
        users = [new_user() for _ in range(WORKERS)]
        stop = threading.Event()
        migrated = threading.Event()
        took: list[float] = []

        def apply_migration() -> None:
            try:
                wait_until(lambda: seen["calls"] >= WARM_CALLS, "warm connections")
                started = time.monotonic()
                migrate(url)
                took.append(time.monotonic() - started)
                migrated.set()
                after = seen["calls"] + AFTER_CALLS
                wait_until(lambda: seen["calls"] >= after, "calls after the migration")
            finally:
                stop.set()

        async def traffic() -> None:
            database = database_for(settings)
            await database.open()
            try:
                migrator = threading.Thread(target=apply_migration)
                migrator.start()
                await asyncio.gather(*(serve(database, user, stop, seen) for user in users))
                migrator.join()
            finally:
                await database.close()

        asyncio.run(traffic())
        assert migrated.is_set() and took, "the migration did not finish"
        assert seen["errors"] == [], seen["errors"][:5]
        assert seen["calls"] > 100

        # The new release reads what the old one wrote, before, during and after.
        with TestClient(create_app(make_settings(url))) as client:
            for user in users:
                tasks = client.get("/tasks?limit=100", headers=auth(token(user))).json()
                assert sorted(t["id"] for t in tasks) == sorted(seen["kept"][user])
                for task in tasks:
                    assert (task["priority"], task["due_date"], task["tags"]) == ("none", None, [])
