"""Throwaway benchmark databases, migrated by the app's own migrations and seeded with tasks."""

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import make_url
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect

from app.crud import LIST_TASKS
from app.db import CALLER
from app.migrations import migrate
from app.token import mint
from devtools import create_database, drop_database

# The seeded users are bench-1 .. bench-N; each gets `per_user` tasks.
USER_PREFIX = "bench-"
# The API's own list statement (for psycopg): the plan shown is the plan the API gets.
_LIST_SQL = str(LIST_TASKS.compile(dialect=psycopg_dialect()))


def user(n: int) -> str:
    return f"{USER_PREFIX}{n}"


def write_tokens(path: Path, secret: str, users: int) -> Path:
    """One valid HS256 token per seeded user, one per line, for wrk to rotate through."""
    lines = [mint(secret, user(n), ttl=3600) for n in range(1, users + 1)]
    path.touch(mode=0o600)
    path.write_text("\n".join(lines) + "\n")
    return path


class Postgres:
    """Creates databases on a server (and the API role), and drops them all on exit."""

    def __init__(self, admin_url: str) -> None:
        self.admin = make_url(admin_url).set(drivername="postgresql")
        self.created: list[str] = []
        # The API's role: it owns nothing and is no superuser, so row-level security applies.
        self.api_role = f"todo_bench_api_{uuid.uuid4().hex[:8]}"

    def url(self, database: str | None = None, role: str | None = None) -> str:
        url = self.admin.set(database=database) if database else self.admin
        return (url.set(username=role) if role else url).render_as_string(hide_password=False)

    @contextmanager
    def session(self) -> Iterator["Postgres"]:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {self.api_role} LOGIN")
        try:
            yield self
        finally:
            for url in self.created:
                drop_database(url)
            with psycopg.connect(self.url(), autocommit=True) as conn:
                conn.execute(f"DROP ROLE IF EXISTS {self.api_role}")

    def seeded(self, users: int, per_user: int) -> str:
        """A new migrated database holding users x per_user tasks; returns its name."""
        url = create_database(self.url(), "bench")
        self.created.append(url)
        name = make_url(url).database or ""
        migrate(url)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'GRANT CONNECT ON DATABASE "{name}" TO {self.api_role}')
            conn.execute(f"GRANT USAGE ON SCHEMA public TO {self.api_role}")
            conn.execute(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON task, tag, task_tag, idempotency_key "
                f"TO {self.api_role}"
            )
            # Task-major order: a user's rows are spread over the table as in real use,
            # so a page of 20 touches up to 20 heap pages rather than one.
            conn.execute(
                f"""
                INSERT INTO task (user_id, title, description, completed, created_at, updated_at)
                SELECT '{USER_PREFIX}' || u, 'task ' || t || ' of user ' || u,
                       CASE WHEN t %% 4 = 0 THEN 'a few words of description' END,
                       t %% 3 = 0, ts, ts
                FROM generate_series(1, %s) AS t, generate_series(1, %s) AS u,
                     LATERAL (SELECT now() - make_interval(secs => t * 60 + u)) AS at(ts)
                """,
                (per_user, users),
            )
            conn.execute("VACUUM ANALYZE task")
        return name

    def explain(self, database: str) -> str:
        """The list query's plan as the API runs it: as its role, under row-level security."""
        with psycopg.connect(self.url(database, self.api_role)) as conn:
            conn.execute("SELECT set_config('app.user_id', %s, true)", (user(7),))
            params = {CALLER: user(7), "limit": 20, "offset": 0}
            rows = conn.execute(f"EXPLAIN ANALYZE {_LIST_SQL}", params).fetchall()
        return "\n".join(row[0] for row in rows)


def seeded_sqlite(path: Path, users: int, per_user: int) -> str:
    url = f"sqlite:///{path}"
    migrate(url)
    start = datetime.now(UTC)
    rows = (
        (
            user(u),
            f"task {t} of user {u}",
            "a few words of description" if t % 4 == 0 else None,
            t % 3 == 0,
            # SQLAlchemy's storage format for DateTime on SQLite (UTC, no zone).
            (start - timedelta(seconds=t * 60 + u)).strftime("%Y-%m-%d %H:%M:%S.%f"),
        )
        for t in range(1, per_user + 1)
        for u in range(1, users + 1)
    )
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO task (user_id, title, description, completed, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?5)",
            rows,
        )
    return url
