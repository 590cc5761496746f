"""Apply the Alembic migrations; safe when several workers start at the same moment.

Usage (deploy pipelines): `python -m app.migrations` (or `todo-migrate`) with DATABASE_URL set.
"""

import fcntl
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from app.db.urls import database_url, ensure_sqlite_directory, is_postgres

ALEMBIC_DIR = Path(__file__).resolve().parents[1] / "alembic"
# Any fixed number: every process that migrates this database takes the same lock.
_LOCK_KEY = 7_301_526_112
_LOCK_POLL_SECONDS = 0.2


def alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    config.attributes["connection"] = connection
    return config


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _exclusive(connection: Connection, database: str | None) -> Iterator[None]:
    if is_postgres(connection.engine.url):
        # Waits between tries, not inside pg_advisory_lock(): a statement that waits holds a
        # snapshot, and CREATE INDEX CONCURRENTLY (in the lock holder's migration) waits for
        # every older snapshot to go: the two would wait for each other.
        lock = text("SELECT pg_try_advisory_lock(:key)")
        while not connection.execute(lock, {"key": _LOCK_KEY}).scalar():
            connection.commit()
            time.sleep(_LOCK_POLL_SECONDS)
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK_KEY})
            connection.commit()
    elif database and database != ":memory:":
        with _file_lock(Path(f"{database}.migrate-lock")):
            yield
    else:
        yield


def migrate(raw_url: str, revision: str = "head") -> None:
    url = database_url(raw_url, asynchronous=False)
    ensure_sqlite_directory(url)
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection, _exclusive(connection, url.database):
            command.upgrade(alembic_config(connection), revision)
            connection.commit()
    finally:
        engine.dispose()


def unreachable_message(raw_url: str, error: OperationalError) -> str:
    where = database_url(raw_url, asynchronous=False).render_as_string(hide_password=True)
    reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
    return f"cannot reach the database at {where}: {reason} (check DATABASE_URL)"


def main() -> None:
    from app.core.config import ConfigError, load_settings

    try:
        settings = load_settings()
        migrate(settings.database_url)
    except ConfigError as error:
        sys.exit(f"error: {error}")
    except OperationalError as error:
        sys.exit(f"error: {unreachable_message(settings.database_url, error)}")
    print("database schema is up to date")


if __name__ == "__main__":
    main()
