"""Migrations: idempotent, safe when several processes start at once, reversible, and kind to
the rows already there."""

import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, inspect, text

from app.db.urls import database_url
from app.main import create_app
from app.migrations import alembic_config, migrate
from tests.conftest import TEST_DATABASE_URL, fresh_database, make_settings
from tests.support import SECRET, auth, backend_env, new_user, run_python, token


@pytest.fixture
def empty_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # In a folder that does not exist yet: migrating creates it.
    with fresh_database(tmp_path_factory.mktemp("migrations") / "fresh" / "app.sqlite") as url:
        yield url


@contextmanager
def engine_for(url: str) -> Iterator[Engine]:
    engine = create_engine(database_url(url, asynchronous=False))
    try:
        yield engine
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    with engine_for(url) as engine:
        return set(inspect(engine).get_table_names())


def test_concurrent_migrations_from_several_processes(empty_database: str) -> None:
    env = backend_env(BETTER_AUTH_SECRET=SECRET, DATABASE_URL=empty_database)

    def run(_: int) -> subprocess.CompletedProcess[str]:
        return run_python("-m", "app.migrations", env=env)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run, range(4)))
    for result in results:
        assert result.returncode == 0, result.stderr
        assert "database schema is up to date" in result.stdout
    assert {"task", "alembic_version"} <= table_names(empty_database)


def test_migrate_is_idempotent_and_reversible(empty_database: str) -> None:
    migrate(empty_database)
    migrate(empty_database)
    assert "task" in table_names(empty_database)
    migrate_down(empty_database)
    assert "task" not in table_names(empty_database)
    migrate(empty_database)
    assert "task" in table_names(empty_database)


def migrate_down(url: str) -> None:
    from alembic import command

    with engine_for(url) as engine, engine.connect() as connection:
        command.downgrade(alembic_config(connection), "base")
        connection.commit()


def test_unreachable_database_is_one_clear_line_without_the_password() -> None:
    env = backend_env(
        BETTER_AUTH_SECRET=SECRET, DATABASE_URL="postgresql://app:hunter2@127.0.0.1:1/todo"
    )
    result = run_python("-m", "app.migrations", env=env)
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot reach the database at ")
    assert "Traceback" not in result.stderr and "hunter2" not in result.stderr


def test_a_server_that_cannot_migrate_says_so_in_one_line() -> None:
    env = backend_env(
        BETTER_AUTH_SECRET=SECRET, DATABASE_URL="postgresql://app:hunter2@127.0.0.1:1/todo"
    )
    result = run_python("-m", "uvicorn", "app.main:app", "--port", "0", env=env, timeout=60)
    assert result.returncode != 0
    assert "error: cannot reach the database at " in result.stderr
    assert "Traceback" not in result.stderr and "hunter2" not in result.stderr
    assert result.stderr.count("\n") <= 4, result.stderr  # that line and uvicorn's own


def insert_tasks_as_of_0002(url: str, user: str) -> None:
    """Rows as the API before 0004 wrote them (the engine's role bypasses row-level security
    only as a superuser: the test server's is)."""
    with engine_for(url) as engine, engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO task (user_id, title, description, completed, created_at, "
                "updated_at) VALUES (:user, 'old open', 'kept', false, :at, :at), "
                "(:user, 'old done', NULL, true, :at, :later)"
            ),
            {"user": user, "at": datetime(2026, 1, 1, tzinfo=UTC), "later": datetime.now(UTC)},
        )


def test_existing_tasks_survive_and_get_the_new_fields(empty_database: str) -> None:
    user = new_user()
    migrate(empty_database, "0002")
    insert_tasks_as_of_0002(empty_database, user)
    headers = auth(token(user))
    with TestClient(create_app(make_settings(empty_database))) as client:  # migrates to head
        before = client.get("/tasks?sort=title", headers=headers).json()
        assert [(t["title"], t["description"], t["completed"]) for t in before] == [
            ("old done", None, True),
            ("old open", "kept", False),
        ]
        for task in before:
            assert (task["priority"], task["due_date"], task["tags"]) == ("none", None, [])
            assert task["completed_at"] is None  # not recorded before 0004
        tagged = client.patch(
            f"/tasks/{before[1]['id']}", headers=headers, json={"tags": ["old"], "priority": "low"}
        )
        assert tagged.status_code == 200, tagged.text
        assert [t["title"] for t in client.get("/tasks?tag=old", headers=headers).json()] == [
            "old open"
        ]
        assert client.get("/tasks/counts?priority=none", headers=headers).json()["all"] == 1
        assert client.get("/tags", headers=headers).json() == [{"name": "old", "count": 1}]
        assert searched(client, headers, "OLD") == ["old open", "old done"]
        assert searched(client, headers, "ept") == ["old open"]  # in the description


def searched(client: TestClient, headers: dict[str, str], q: str) -> list[str]:
    response = client.get(
        "/tasks", params={"q": q, "sort": "title", "order": "desc"}, headers=headers
    )
    assert response.status_code == 200, response.text
    return [task["title"] for task in response.json()]


def test_a_task_whose_text_was_never_folded_is_still_found(empty_database: str) -> None:
    """Migration 0008 folds only the tasks its role may see (none for an owner that row-level
    security binds): the others keep a null `search_text` and are candidates of every search.
    Their next change folds them."""
    if not TEST_DATABASE_URL:
        pytest.skip("SQLite scans every row of the caller: nothing is folded there")
    user = new_user()
    migrate(empty_database, "0007")
    insert_tasks_as_of_0002(empty_database, user)
    migrate(empty_database)
    with engine_for(empty_database) as engine, engine.begin() as connection:
        folded = connection.execute(text("SELECT search_text FROM task ORDER BY title"))
        assert folded.scalars().all() == ["old done ", "old open kept"]
        # As if the migration had not seen them (the trigger would fold them again).
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(text("UPDATE task SET search_text = NULL"))
    headers = auth(token(user))
    with TestClient(create_app(make_settings(empty_database))) as client:
        assert searched(client, headers, "old") == ["old open", "old done"]
        assert searched(client, headers, "KEPT") == ["old open"]
        assert searched(client, headers, "missing") == []
        [done] = [t for t in client.get("/tasks", headers=headers).json() if t["completed"]]
        renamed = client.patch(f"/tasks/{done['id']}", headers=headers, json={"title": "Ünïcode"})
        assert renamed.status_code == 200, renamed.text
        assert searched(client, headers, "üNÏ") == ["Ünïcode"]
    with engine_for(empty_database) as engine, engine.connect() as connection:
        refolded = connection.execute(text("SELECT search_text FROM task WHERE title = 'Ünïcode'"))
        assert refolded.scalar() == "ünïcode "


def test_a_rerun_after_a_failed_index_build_completes_it(empty_database: str) -> None:
    if not TEST_DATABASE_URL:
        pytest.skip("CREATE INDEX CONCURRENTLY is PostgreSQL's")
    migrate(empty_database)
    # As a build that failed half-way leaves things: the index there but invalid, the steps
    # before committed, and the version not moved past 0002.
    with engine_for(empty_database) as engine, engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE pg_index SET indisvalid = false WHERE indexrelid IN ("
                "'ix_task_user_id_due_date_id'::regclass, "
                "'ix_task_user_id_id_completed'::regclass, "
                "'ix_task_user_id_id_search_text'::regclass)"
            )
        )
        connection.execute(text("UPDATE alembic_version SET version_num = '0002'"))
    migrate(empty_database)
    with engine_for(empty_database) as engine, engine.connect() as connection:
        invalid = connection.execute(text("SELECT count(*) FROM pg_index WHERE NOT indisvalid"))
        version = connection.execute(text("SELECT version_num FROM alembic_version"))
        head = ScriptDirectory.from_config(alembic_config(connection)).get_current_head()
        assert (invalid.scalar(), version.scalar()) == (0, head)


def test_0009_folds_existing_texts_with_the_apis_rule(empty_database: str) -> None:
    """Tasks written before 0009 (folded by PostgreSQL's lower(), or not at all on SQLite) are
    folded again with app/core/folding.py's rule, and found by it."""
    user = new_user()
    migrate(empty_database, "0008")
    insert_tasks_as_of_0002(empty_database, user)
    with engine_for(empty_database) as engine, engine.begin() as connection:
        connection.execute(
            text("UPDATE task SET title = 'Straße ΟΔΟΣ', description = NULL WHERE completed")
        )
    migrate(empty_database)
    with engine_for(empty_database) as engine, engine.begin() as connection:
        folded = connection.execute(text("SELECT search_text FROM task ORDER BY search_text"))
        assert folded.scalars().all() == ["old open kept", "strasse οδοσ "]
        if TEST_DATABASE_URL:
            # An update of the text that does not write search_text (an older API) clears it.
            connection.execute(text("UPDATE task SET title = 'new' WHERE NOT completed"))
            cleared = connection.execute(text("SELECT search_text FROM task WHERE title = 'new'"))
            assert cleared.scalar() is None
    headers = auth(token(user))
    with TestClient(create_app(make_settings(empty_database))) as client:
        assert searched(client, headers, "STRASSE οδος") == ["Straße ΟΔΟΣ"]


def test_0012_counts_the_subtasks_already_there(empty_database: str) -> None:
    """Parents written before 0012 get their counts stored; later writes, even an older API's
    plain SQL, keep them."""
    user = new_user()
    migrate(empty_database, "0011")
    insert_tasks_as_of_0002(empty_database, user)
    subtasks = (
        "INSERT INTO task (user_id, title, completed, created_at, updated_at, parent_id) "
        "SELECT user_id, 'step', s.done, created_at, created_at, id FROM task, "
        "(SELECT true AS done UNION ALL SELECT false) AS s WHERE title = 'old open'"
    )
    counts = "SELECT title, subtasks_total, subtasks_completed FROM task ORDER BY id"
    with engine_for(empty_database) as engine, engine.begin() as connection:
        connection.execute(text(subtasks))
    migrate(empty_database)
    with engine_for(empty_database) as engine, engine.begin() as connection:
        assert connection.execute(text(counts)).all() == [
            ("old open", 2, 1),
            ("old done", 0, 0),
            ("step", 0, 0),
            ("step", 0, 0),
        ]
        connection.execute(text("UPDATE task SET completed = false WHERE title = 'step'"))
        connection.execute(text(subtasks))
        assert connection.execute(text(counts)).all()[0] == ("old open", 4, 1)
    headers = auth(token(user))
    with TestClient(create_app(make_settings(empty_database))) as client:
        [parent] = [
            t for t in client.get("/tasks", headers=headers).json() if t["subtasks"]["total"]
        ]
        assert parent["subtasks"] == {"total": 4, "completed": 1}
