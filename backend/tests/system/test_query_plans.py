"""On PostgreSQL, as the API's role (row-level security applies): the tag filter and the counts
are planned as index walks over the caller's own entries with the tagged tasks as a hashed set
(app/db/portable.py member_of, migration 0006), never as a probe of the task table per tagged
task, and the list reads only its page's rows; a search reads the table only for its candidates
(migration 0008). bench/ measures what that buys; this proves the plans."""

import re
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Select, make_url
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect

from app import statements
from app.db import CALLER
from app.migrations import migrate
from app.models import TaskFilter, TaskListQuery
from devtools import libpq_url, postgres_database
from tests.conftest import TEST_DATABASE_URL
from tests.support import plain_role

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL"),
]

USERS, PER_USER = 200, 100
# Every user's tasks interleaved (as real use spreads them); every third task tagged "home";
# every sixth in the Inbox, the others in a list.
SEED = f"""
INSERT INTO task (user_id, title, completed, tags, created_at, updated_at, list_id)
SELECT 'u' || u, 'task ' || t, t % 4 = 0,
       CASE WHEN t % 3 = 0 THEN ARRAY['home'] ELSE ARRAY[]::text[] END,
       now() - make_interval(secs => t * 60 + u), now(), CASE WHEN t % 6 > 0 THEN u END
FROM generate_series(1, {PER_USER}) AS t, generate_series(1, {USERS}) AS u;
INSERT INTO tag (user_id, name) SELECT DISTINCT user_id, 'home' FROM task;
INSERT INTO task_tag (task_id, tag_id, user_id)
SELECT task.id, tag.id, task.user_id FROM task JOIN tag USING (user_id) WHERE tags <> '{{}}';
"""


@pytest.fixture(scope="module")
def api_role_url() -> Iterator[str]:
    """A migrated, seeded and vacuumed database, and a role that may read it (RLS applies)."""
    assert TEST_DATABASE_URL
    with postgres_database(TEST_DATABASE_URL) as owner_url:
        migrate(owner_url)
        with psycopg.connect(libpq_url(owner_url), autocommit=True) as conn:
            conn.execute(SEED)
            conn.execute("VACUUM ANALYZE task, tag, task_tag")
        with plain_role(owner_url, "SELECT") as url:
            yield url


def plan(url: str, statement: Select[object], params: dict[str, object]) -> str:
    compiled = statement.compile(dialect=psycopg_dialect())
    with psycopg.connect(libpq_url(url)) as conn:
        conn.execute("SELECT set_config('app.user_id', 'u7', true)")
        values = {**compiled.params, **params, CALLER: "u7"}
        rows = conn.execute(f"EXPLAIN ANALYZE {compiled}", values).fetchall()
    return "\n".join(row[0] for row in rows)


def test_the_tag_filter_finds_a_page_in_the_list_index_then_reads_its_rows(
    api_role_url: str,
) -> None:
    shown = plan(api_role_url, *statements.list_query(TaskListQuery(limit=5, tag=("home",))))
    assert "Index Only Scan Backward using ix_task_user_id_created_at_id" in shown, shown
    assert "hashed SubPlan" in shown and "Heap Fetches: 0" in shown, shown
    assert "Join" not in shown and "Nested Loop" not in shown, shown
    # The page's five rows, and only those, are read from the table.
    assert "(id = ANY ($" in shown and "rows=5 loops=1" in shown, shown


def test_counts_with_a_tag_filter_read_the_links_index_alone(api_role_url: str) -> None:
    shown = plan(api_role_url, *statements.count_query(TaskFilter(tag=("home",))))
    assert "Index Only Scan using ix_task_tag_user_id_tag_id_completed on task_tag" in shown
    assert "Heap Fetches: 0" in shown, shown
    # The task table is not read: every link carries its task's state (a link older than
    # that would ask its task).
    # (The caller's subtasks, left out of the counts, come from an index alone.)
    reads = [
        line
        for line in shown.splitlines()
        if " on task " in line and "ix_task_user_id_parent_id_position_id" not in line
    ]
    assert all("never executed" in line for line in reads) and "Join" not in shown, shown


def test_counts_without_filters_read_an_index_alone(api_role_url: str) -> None:
    shown = plan(api_role_url, *statements.count_query(TaskFilter()))
    # Counts are of top-level tasks: the partial index of migration 0010.
    assert "Index Only Scan using ix_task_user_id_id_completed_top_level on task" in shown, shown
    assert "Heap Fetches: 0" in shown, shown


def test_counts_ask_the_task_for_a_link_older_than_its_state(api_role_url: str) -> None:
    assert TEST_DATABASE_URL
    owner = make_url(api_role_url).set(username=make_url(TEST_DATABASE_URL).username)
    owner_url = owner.render_as_string(hide_password=False)
    statement, params = statements.count_query(TaskFilter(tag=("home",)))
    compiled = statement.compile(dialect=psycopg_dialect())
    with psycopg.connect(libpq_url(owner_url), autocommit=True) as admin:
        admin.execute("UPDATE task_tag SET completed = NULL WHERE user_id = 'u7'")
        try:
            with psycopg.connect(libpq_url(api_role_url)) as conn:
                conn.execute("SELECT set_config('app.user_id', 'u7', true)")
                values = {**compiled.params, **params, CALLER: "u7"}
                counted = conn.execute(str(compiled), values).fetchone()
                truth = conn.execute(
                    "SELECT count(*), count(*) FILTER (WHERE completed) FROM task "
                    "WHERE user_id = 'u7' AND 'home' = ANY(tags)"
                ).fetchone()
        finally:
            admin.execute(
                "UPDATE task_tag SET completed = task.completed FROM task "
                "WHERE task.id = task_tag.task_id AND task_tag.user_id = 'u7'"
            )
    assert counted == truth and truth is not None and truth[1] > 0


def test_search_finds_its_candidates_in_the_folded_texts_then_reads_only_those(
    api_role_url: str,
) -> None:
    """Migration 0008: the caller's folded texts are read from an index alone, and only the
    candidates' rows from the table (here the one task of 100 whose title holds "77")."""
    shown = plan(api_role_url, *statements.list_query(TaskListQuery(q="77")))
    assert "Index Only Scan using ix_task_user_id_id_search_text on task found" in shown, shown
    assert "Filter: (search_text ~~ '%77%'::text)" in shown, shown
    assert "Index Only Scan using ix_task_user_id_id_unsearchable" in shown, shown
    assert "Heap Fetches: 0" in shown and re.search(r"\(id = ANY \(\$\d+\)\)", shown), shown
    assert "Seq Scan" not in shown and "Bitmap Heap Scan" not in shown, shown
    table_reads = [line for line in shown.splitlines() if " on task  (" in line]
    assert len(table_reads) == 1 and "rows=1 loops=1" in table_reads[0], shown


def test_the_list_reads_the_stored_subtask_counts_not_a_subquery_per_row(
    api_role_url: str,
) -> None:
    """Migration 0012: the counts are columns of the row; the fallback's subqueries (for a row
    not counted yet) never run."""
    shown = plan(api_role_url, *statements.list_query(TaskListQuery(limit=5)))
    counted = [
        line for line in shown.splitlines() if "ix_task_user_id_parent_id_position_id" in line
    ]
    assert counted and all("never executed" in line for line in counted), shown


@pytest.mark.parametrize("sort", ["created", "manual"])
def test_the_inbox_is_walked_in_its_order_not_sorted(api_role_url: str, sort: str) -> None:
    query = TaskListQuery(limit=5, list="inbox", sort=sort)
    shown = plan(api_role_url, *statements.list_query(query))
    assert "Sort" not in shown and "Bitmap" not in shown, shown
    assert "rows=5 loops=1" in shown, shown
