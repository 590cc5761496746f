"""The change feed (app/changes.py) below the route: what the triggers record, how a batch is
coalesced, which cursors are replayed, pruning, and DELETE /me."""

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from app import changes
from app.core.config import Settings
from app.db import Database, database_for
from app.db.portable import hours_ago
from app.migrations import migrate
from app.models import change
from app.statements import CALLER_PARAM
from tests.conftest import fresh_database, make_settings
from tests.support import auth, new_user, token


class Opened:
    """A database as the API opens it, and one event loop to run its statements in (asyncpg's
    connections belong to the loop that opened them)."""

    def __init__(self, database: Database, runner: asyncio.Runner) -> None:
        self.database = database
        self.run = runner.run


@contextmanager
def _opened(settings: Settings) -> Iterator[Opened]:
    with asyncio.Runner() as runner:
        database = database_for(settings)
        runner.run(database.open())
        try:
            yield Opened(database, runner)
        finally:
            runner.run(database.close())


@pytest.fixture
def db(settings: Settings, client: TestClient) -> Iterator[Opened]:
    """The suite's database, migrated (by the client's start)."""
    with _opened(settings) as opened:
        yield opened


def _feed(db: Opened, user: str) -> list[tuple[str, int, str]]:
    statement = (
        select(change.c.kind, change.c.entity_id, change.c.action)
        .where(change.c.user_id == CALLER_PARAM)
        .order_by(change.c.id)
    )
    rows = db.run(db.database.run(user, statement))
    return [(row["kind"], row["entity_id"], row["action"]) for row in rows]


def test_the_triggers_record_each_change_and_what_it_changes_besides(
    client: TestClient, db: Opened
) -> None:
    user = new_user()
    headers = auth(token(user))
    listed = client.post("/lists", headers=headers, json={"name": "L"}).json()["id"]
    parent = client.post("/tasks", headers=headers, json={"title": "p", "list_id": listed})
    parent_id = parent.json()["id"]
    sub = client.post("/tasks", headers=headers, json={"title": "s", "parent_id": parent_id})
    sub_id = sub.json()["id"]
    assert client.patch(f"/tasks/{sub_id}", headers=headers, json={"completed": True}).is_success
    assert client.delete(f"/lists/{listed}", headers=headers).status_code == 204
    feed = _feed(db, user)
    assert feed[:3] == [
        ("list", listed, "created"),
        ("task", parent_id, "created"),
        ("list", listed, "updated"),  # its open count
    ]
    assert ("task", parent_id, "updated") in feed[3:]  # its subtask counts
    assert ("list", listed, "deleted") in feed
    assert ("task", sub_id, "updated") in feed
    # Another user records nothing of this one's.
    assert _feed(db, new_user()) == []


def _rows(*changed: tuple[int, str, int, str]) -> list[dict[str, Any]]:
    return [
        {"id": cursor, "kind": kind, "entity_id": entity, "action": action}
        for cursor, kind, entity, action in changed
    ]


def test_a_batch_is_coalesced_to_one_change_per_row_at_its_last_cursor() -> None:
    batch = _rows(
        (1, "task", 7, "created"),
        (2, "list", 3, "updated"),
        (3, "task", 7, "updated"),
        (4, "task", 8, "updated"),
        (5, "list", 3, "deleted"),
        (6, "list", 3, "updated"),  # a task moved out of the deleted list
        (7, "task", 8, "updated"),
    )
    assert [(c.cursor, c.kind, c.entity_id, c.action) for c in changes.coalesced(batch)] == [
        (3, "task", 7, "created"),
        (6, "list", 3, "deleted"),
        (7, "task", 8, "updated"),
    ]


@pytest.mark.parametrize(
    ("value", "cursor"),
    [
        ("42", 42),
        ("9223372036854775807", 2**63 - 1),
        ("9223372036854775808", None),
        ("0", None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1.0", None),
        ("\u0661", None),  # a digit, but not ASCII
        ("", None),
        (None, None),
    ],
)
def test_a_cursor_is_plain_decimal(value: str | None, cursor: int | None) -> None:
    assert changes.parse_cursor(value) == cursor


@pytest.fixture
def empty_db(tmp_path: Path) -> Iterator[Opened]:
    """A database of its own: pruning looks at the oldest changes of every user."""
    with fresh_database(tmp_path / "prune.sqlite") as url:
        migrate(url)
        with _opened(make_settings(url)) as opened:
            yield opened


def _insert_old(db: Opened, user: str, hours: int) -> str:
    """A change made `hours` hours ago (in the triggers' time); its cursor."""
    statement = insert(change).values(
        user_id=CALLER_PARAM,
        kind="task",
        entity_id=1,
        action="deleted",
        created_at=select(hours_ago(hours)).scalar_subquery(),
    )
    rows = db.run(db.database.run(user, statement.returning(change.c.id)))
    return str(rows[0]["id"])


def test_pruning_takes_only_the_oldest_run_of_expired_changes(empty_db: Opened) -> None:
    first, second = new_user(), new_user()
    pruned = _insert_old(empty_db, first, 50)
    _insert_old(empty_db, second, 49)
    kept = _insert_old(empty_db, first, 1)
    held = _insert_old(empty_db, second, 60)  # expired, but after a change that is not
    assert empty_db.run(changes.prune(empty_db.database, 48)) == 2
    assert len(_feed(empty_db, first)) == 1
    assert len(_feed(empty_db, second)) == 1
    # A cursor still kept is replayed from; a pruned one is a reset.
    assert empty_db.run(changes.start(empty_db.database, first, kept)) == (int(kept), None)
    assert empty_db.run(changes.start(empty_db.database, second, held)) == (int(held), None)
    assert empty_db.run(changes.start(empty_db.database, first, pruned))[1] is not None


def test_delete_me_removes_the_callers_change_feed(client: TestClient, db: Opened) -> None:
    user = new_user()
    headers = auth(token(user))
    client.post("/tasks", headers=headers, json={"title": "gone"})
    assert _feed(db, user)
    assert client.delete("/me", headers=headers).status_code == 204
    assert _feed(db, user) == []


def test_a_quiet_stream_sends_heartbeats_without_reading_the_feed(
    db: Opened, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An idle stream costs no statements: it reads the feed when it starts and when woken."""
    reads = 0
    read_events = changes.read_events

    async def counted(*args: Any) -> changes.Batch:
        nonlocal reads
        reads += 1
        return await read_events(*args)

    monkeypatch.setattr(changes, "read_events", counted)
    hub, user = changes.ChangeHub(), new_user()

    async def listen() -> list[bytes]:
        stream = changes.stream(
            db.database, hub, user, 0, None, ends_at=time.time() + 60, heartbeat_seconds=0.01
        )
        chunks = [await anext(stream) for _ in range(6)]  # connected, then five heartbeats
        hub.changed(user)
        chunks.append(await anext(stream))  # woken: a read, and nothing new, so a heartbeat
        await stream.aclose()
        return chunks

    chunks = db.run(listen())
    assert chunks == [changes.CONNECTED] + [changes.HEARTBEAT] * 6
    assert reads == 2
