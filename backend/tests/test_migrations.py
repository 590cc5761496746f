"""Migrations: idempotent, safe when several processes start at once, reversible."""

import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, inspect

from app.db.urls import database_url
from app.migrations import alembic_config, migrate
from tests.conftest import fresh_database
from tests.support import SECRET, backend_env, run_python


@pytest.fixture
def empty_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # In a folder that does not exist yet: migrating creates it.
    with fresh_database(tmp_path_factory.mktemp("migrations") / "fresh" / "app.sqlite") as url:
        yield url


def table_names(url: str) -> set[str]:
    engine = create_engine(database_url(url, asynchronous=False))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


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

    engine = create_engine(database_url(url, asynchronous=False))
    try:
        with engine.connect() as connection:
            command.downgrade(alembic_config(connection), "base")
            connection.commit()
    finally:
        engine.dispose()


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
