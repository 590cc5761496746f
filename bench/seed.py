"""Throwaway benchmark databases, migrated by the app's own migrations and seeded with tasks."""

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Select, make_url
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect

from app.core.folding import search_text
from app.db import CALLER
from app.migrations import migrate
from app.token import mint
from devtools import API_TABLES, create_database, drop_database

# The seeded users are bench-1 .. bench-N, each with `per_user` tasks, and bench-0 with `heavy`.
USER_PREFIX = "bench-"
Params = dict[str, Any]


# Titles are a verb, a thing and (half the time) a when, from everyday vocabularies, so that a
# search for one thing is as selective as it is in a real list: each thing is in about 1 % of
# titles (and of the descriptions a quarter of the tasks have).
_VERBS = (
    "buy", "call", "email", "fix", "book", "pay", "clean", "review", "send", "plan", "check",
    "renew", "cancel", "order", "return", "pick up", "drop off", "schedule", "prepare", "update",
    "finish", "start", "write", "read", "organise", "sort out", "print", "sign", "file", "water",
)  # fmt: skip
_THINGS = (
    "milk", "bread", "eggs", "coffee", "groceries", "dentist", "doctor", "plumber", "landlord",
    "mum", "dad", "sister", "brother", "grandma", "neighbour", "boss", "team", "client",
    "invoice", "receipt", "tax return", "insurance", "passport", "visa", "licence", "car",
    "bike", "tyres", "oil change", "train tickets", "flights", "hotel", "birthday card",
    "present", "flowers", "cake", "report", "slides", "budget", "contract", "proposal",
    "newsletter", "blog post", "expenses", "timesheet", "payroll", "meeting notes", "agenda",
    "laptop", "phone", "printer", "router", "backup", "password", "subscription", "gym",
    "yoga class", "swimming lesson", "piano lesson", "school form", "library books", "homework",
    "kitchen", "bathroom", "garage", "garden", "lawn", "gutters", "windows", "curtains", "sofa",
    "fridge", "oven", "dishwasher", "washing machine", "boiler", "heating", "electricity bill",
    "water bill", "phone bill", "rent", "mortgage", "savings", "pension", "bank statement",
    "credit card", "loan", "donation", "charity run", "volunteer shift", "vet", "dog food",
    "cat litter", "plants", "seeds", "compost", "paint", "shelves", "lamp", "light bulbs",
    "batteries", "recycling", "bins", "parcel", "letter", "stamps", "photos", "album",
    "recipe", "dinner party", "picnic", "holiday", "camping gear", "suitcase", "umbrella",
)  # fmt: skip
_WHENS = (
    "today", "tomorrow", "this week", "next week", "before friday", "after work", "on monday",
    "at the weekend", "tonight", "this morning", "by the end of the month", "asap",
)  # fmt: skip
# Tags and the share of tasks that carry each (a task has 0 to several).
_TAGS = {
    "work": 0.30, "home": 0.25, "errands": 0.15, "health": 0.10, "finance": 0.10,
    "family": 0.08, "urgent": 0.05, "someday": 0.05, "reading": 0.04, "travel": 0.03,
}  # fmt: skip
_VOCABULARY = {
    "verbs": list(_VERBS),
    "things": list(_THINGS),
    "whens": list(_WHENS),
    "tags": list(_TAGS),
    "tag_shares": list(_TAGS.values()),
}
# The search and the tag filter the benchmarks measure: a thing like any other, and a tag in
# about one task in seven.
SEARCH_WORD = "invoice"
FILTER_TAG = "errands"
assert SEARCH_WORD in _THINGS and FILTER_TAG in _TAGS
assert all(word.isascii() for words in (_VERBS, _THINGS, _WHENS) for word in words)

LISTS_PER_USER = 5
# Task-major order: a user's rows are spread over the table as in real use, so a page of 20
# touches up to 20 heap pages rather than one. user(0) has `heavy` tasks, spread alike.
_PICK = """CREATE FUNCTION pg_temp.pick(words text[]) RETURNS text LANGUAGE sql VOLATILE
AS $$ SELECT words[1 + floor(random() * cardinality(words))::int] $$"""
# The API stores each task's folded text (search_text, app/core/folding.py) as it writes the
# task; a task without one is searched as written (a row of an earlier API), a slower path.
# The vocabulary is ASCII, whose folding is lower(): the seed stores it as the API would.
_SEED_TASKS = f"""
INSERT INTO task (user_id, title, description, search_text, completed, completed_at, priority,
                  due_date, tags, created_at, updated_at, list_id, position)
SELECT user_id, title, description, lower(title || ' ' || coalesce(description, '')),
       completed, completed_at, priority, due_date, tags, created_at, updated_at, list_id, position
FROM (
SELECT '{USER_PREFIX}' || u AS user_id,
       initcap(verb) || ' ' || thing
           || CASE WHEN random() < 0.5 THEN ' ' || pg_temp.pick(%(whens)s) ELSE '' END AS title,
       CASE WHEN random() < 0.25 THEN 'remember the ' || pg_temp.pick(%(things)s)
            || ' and the ' || pg_temp.pick(%(things)s) END AS description,
       done AS completed, CASE WHEN done THEN ts + interval '1 day' END AS completed_at,
       (ARRAY[0, 0, 0, 1, 1, 2, 3])[1 + floor(random() * 7)::int] AS priority,
       CASE WHEN random() < 0.4 THEN current_date + floor(random() * 60 - 20)::int END AS due_date,
       ARRAY(SELECT name FROM unnest(%(tags)s::text[], %(tag_shares)s::float8[]) AS v(name, share)
             WHERE random() < share + 0 * (t + u) ORDER BY name) AS tags,
       ts AS created_at, ts AS updated_at,
       -- A sixth of the tasks in the Inbox, the rest in the user's five lists (_SEED_LISTS).
       CASE WHEN random() >= 1.0 / 6 THEN u * {LISTS_PER_USER} + 1 + floor(random() * 5)::int END
           AS list_id,
       t AS position
FROM generate_series(1, GREATEST(%(per)s, %(heavy)s)) AS t,
     LATERAL generate_series(CASE WHEN t <= %(heavy)s THEN 0 ELSE 1 END,
                             CASE WHEN t <= %(per)s THEN %(users)s ELSE 0 END) AS u,
     LATERAL (SELECT now() - make_interval(secs => t * 60 + u), random() < 0.3,
                     pg_temp.pick(%(verbs)s), pg_temp.pick(%(things)s)) AS r(ts, done, verb, thing)
-- (A fence: the subquery's random titles are drawn once, then folded, never drawn again.)
OFFSET 0
) AS seeded
"""
# Five lists per user, with ids the tasks' seed computes (user u: 5u+1 .. 5u+5).
_SEED_LISTS = f"""
INSERT INTO task_list (id, user_id, name, folded_name, color, position, created_at)
SELECT u * {LISTS_PER_USER} + k, '{USER_PREFIX}' || u, 'List ' || k, 'list ' || k, 'blue', k, now()
FROM generate_series(0, %(users)s) AS u, generate_series(1, {LISTS_PER_USER}) AS k
"""
_SEED_LIST_IDS = "SELECT setval(pg_get_serial_sequence('task_list', 'id'), max(id)) FROM task_list"
# One top-level task in twenty has two subtasks (rows of their own): the list counts them.
_SEED_SUBTASKS = """
INSERT INTO task (user_id, title, search_text, completed, created_at, updated_at, tags, list_id,
                  parent_id, position)
SELECT user_id, 'Step ' || s, 'step ' || s || ' ', completed, created_at, created_at, '{}',
       list_id, id, s
FROM task, generate_series(1, 2) AS s
WHERE id % 20 = 0
"""
# The tags' rows, their links and their counts, as the API's writes and triggers keep them.
_SEED_TAGS = (
    "INSERT INTO tag (user_id, name) SELECT DISTINCT user_id, unnest(tags) FROM task",
    """INSERT INTO task_tag (task_id, tag_id, user_id, completed)
    SELECT task.id, tag.id, task.user_id, task.completed
    FROM task CROSS JOIN LATERAL unnest(task.tags) AS linked(name)
    JOIN tag ON tag.user_id = task.user_id AND tag.name = linked.name""",
    """UPDATE tag SET task_count = linked.n
    FROM (SELECT tag_id, count(*) AS n FROM task_tag GROUP BY tag_id) AS linked
    WHERE tag.id = linked.tag_id""",
)


def user(n: int) -> str:
    return f"{USER_PREFIX}{n}"


def write_tokens(path: Path, secret: str, users: int, first: int = 1) -> Path:
    """A valid HS256 token for each of `users` seeded users from user(first), one per line,
    for wrk to rotate through."""
    lines = [mint(secret, user(n), ttl=3600) for n in range(first, first + users)]
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

    def seeded(self, users: int, per_user: int, heavy: int = 0) -> str:
        """A new migrated database holding users x per_user tasks (and `heavy` tasks of
        user(0), if any), with words, tags, priorities and due dates; returns its name."""
        url = create_database(self.url(), "bench")
        self.created.append(url)
        name = make_url(url).database or ""
        migrate(url)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'GRANT CONNECT ON DATABASE "{name}" TO {self.api_role}')
            conn.execute(f"GRANT USAGE ON SCHEMA public TO {self.api_role}")
            # All of them: without `change` (the change feed's, since migration 0011) every write
            # of B2 and B10 failed, and their figures were those of errors.
            conn.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {API_TABLES} TO {self.api_role}")
            conn.execute("SELECT setseed(0.42)")
            conn.execute(_PICK)
            params = {**_VOCABULARY, "per": per_user, "users": users, "heavy": heavy}
            conn.execute(_SEED_LISTS, params)
            conn.execute(_SEED_LIST_IDS)
            conn.execute(_SEED_TASKS, params)
            conn.execute(_SEED_SUBTASKS)
            _check_folded(conn)
            # Links in bulk: the foreign keys' checks and the count triggers are row-by-row
            # or per statement work that the seed does at once below (superuser only).
            conn.execute("SET session_replication_role = replica")
            for statement in _SEED_TAGS:
                conn.execute(statement)
            conn.execute("RESET session_replication_role")
            for table in ("task", "task_list", "tag", "task_tag"):
                conn.execute(f"VACUUM ANALYZE {table}")
        return name

    def completion_paths(self, database: str, scratch: Path, users: int) -> tuple[Path, Path]:
        """For users 1..users, in the tokens' order: the path of a repeating task of each
        (its first task, made to repeat daily) and of a plain active one (its last); two files
        for wrk (load.lua's PATHS_FILE)."""
        with psycopg.connect(self.url(database), autocommit=True) as conn:
            conn.execute(
                "UPDATE task SET repeat = 'FREQ=DAILY', due_date = current_date, completed = false "
                "WHERE id IN (SELECT min(id) FROM task WHERE parent_id IS NULL GROUP BY user_id)"
            )
            rows = conn.execute(
                "SELECT user_id, min(id), max(id) FILTER (WHERE repeat IS NULL) FROM task "
                "WHERE parent_id IS NULL GROUP BY user_id"
            ).fetchall()
        ids = {row[0]: (row[1], row[2]) for row in rows}
        files = (scratch / "paths-repeating", scratch / "paths-plain")
        for index, path in enumerate(files):
            lines = [f"/tasks/{ids[user(n)][index]}" for n in range(1, users + 1)]
            path.write_text("\n".join(lines) + "\n")
        return files

    def explain(self, database: str, who: str, statement: Select[Any], params: Params) -> str:
        """`statement`'s plan as the API runs it: as its role, under row-level security, for
        the user `who` (EXPLAIN ANALYZE with the buffers it touched)."""
        compiled = statement.compile(dialect=psycopg_dialect())
        with psycopg.connect(self.url(database, self.api_role)) as conn:
            conn.execute("SELECT set_config('app.user_id', %s, true)", (who,))
            values = {**compiled.params, **params, CALLER: who}
            rows = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}", values).fetchall()
        return "\n".join(row[0] for row in rows)


def _check_folded(conn: psycopg.Connection[Any]) -> None:
    """The seed's folded texts are the API's (a sample): else B7 measures another search."""
    rows = conn.execute(
        "SELECT title, description, search_text FROM task WHERE id % 97 = 0"
    ).fetchall()
    wrong = [row for row in rows if row[2] != search_text(row[0], row[1])]
    if not rows or wrong:
        raise RuntimeError(f"the seed folds text unlike the API: {wrong[:3]}")


def seeded_sqlite(path: Path, source_url: str) -> str:
    """A migrated SQLite database holding the same tasks and tags as the PostgreSQL one."""
    url = f"sqlite:///{path}"
    migrate(url)
    with psycopg.connect(source_url) as source, sqlite3.connect(path) as conn:
        tasks = source.execute(
            "SELECT id, user_id, title, description, search_text, completed, completed_at,"
            " priority, due_date, array_to_json(tags)::text, created_at, updated_at, list_id,"
            " parent_id, position FROM task ORDER BY id"
        )
        conn.executemany(
            "INSERT INTO task (id, user_id, title, description, search_text, completed,"
            " completed_at, priority, due_date, tags, created_at, updated_at, list_id, parent_id,"
            " position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ([_sqlite_value(value) for value in row] for row in tasks),
        )
        # The links' trigger counts each tag's tasks, as the API's writes do.
        tags = source.execute("SELECT id, user_id, name FROM tag ORDER BY id")
        conn.executemany("INSERT INTO tag (id, user_id, name) VALUES (?, ?, ?)", tags)
        links = source.execute("SELECT task_id, tag_id, user_id FROM task_tag")
        conn.executemany("INSERT INTO task_tag (task_id, tag_id, user_id) VALUES (?, ?, ?)", links)
    return url


def _sqlite_value(value: object) -> object:
    if isinstance(value, datetime):
        # SQLAlchemy's storage format for DateTime on SQLite (UTC, no zone).
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value
