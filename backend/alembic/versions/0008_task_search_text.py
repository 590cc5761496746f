"""Search (q) reads an index of the caller's lower-cased texts, not every task row (PostgreSQL).

Under FORCE ROW LEVEL SECURITY no LIKE, trigram or full-text condition can be an index
condition on `task` (none is leakproof), so `q` read a heap page for each of the caller's tasks
and ran ILIKE over its text. `task.search_text` holds what ILIKE compares, already folded:
`lower(title || ' ' || coalesce(description, ''))` (PostgreSQL's ILIKE lowers both sides with
the same `lower()` in a multi-byte encoding). With it in an index `(user_id, id) INCLUDE
(search_text)`, the candidates of a search are an index-only scan of the caller's entries with
a plain LIKE as its filter; the API then checks those few rows with its ILIKE as before, so
the results cannot change (app/statements.py). A word table was tried first and was no faster
(bench/README.md).

A BEFORE trigger keeps the column, whoever writes (every insert and update); it reads and
writes nothing else, so the API's role needs no new grant. Tasks
written before this migration that it could not fill keep NULL, as does a text too long to
index (over 1500 bytes folded), and a NULL task is a
candidate of every search (a partial index finds those): nothing is ever missed. The fill
covers what the migrating role may see: every task for a superuser, none for an owner that row-
level security binds with no caller set.

Expand-only and safe while the API serves (PostgreSQL): the column (nullable, no default: no
rewrite; the table's lock taken first, as every write takes it, so that it is not an upgrade
from a weaker lock), the trigger, then outside a transaction the fill in batches of their own
transactions and the indexes built CONCURRENTLY (an invalid one left by a failed build is
dropped and built again on a rerun). SQLite keeps scanning the caller's rows: it only gets the
column, always NULL, so that both databases share one table definition.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.online_ddl import build_index_concurrently

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FILL = sa.text(
    "UPDATE task SET search_text = task_folded_text(title, description) "
    "WHERE id >= :start AND id < :end AND search_text IS NULL"
)
_INDEXES = {
    "ix_task_user_id_id_search_text": "ON task (user_id, id) INCLUDE (search_text)",
    "ix_task_user_id_id_unsearchable": "ON task (user_id, id) WHERE search_text IS NULL",
}
_FILL_BATCH = 10_000

_TRIGGER = (
    # A folded text over 1500 bytes is not kept (NULL: a candidate of every search): an index
    # entry holds at most 2704 bytes, and with the user id (up to 1020) this one must fit.
    """CREATE OR REPLACE FUNCTION task_folded_text(title text, description text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN octet_length(folded) <= 1500 THEN folded END
FROM (SELECT lower(title || ' ' || coalesce(description, '')) AS folded) AS f
$$""",
    # Through the row as JSON, not NEW.title: PL/pgSQL keeps a field's type in its cached plan
    # for the session, so after a change of the column's type every write on a warm connection
    # would fail (tests/db/test_postgres.py alters the column under a warm pool).
    """CREATE OR REPLACE FUNCTION task_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r jsonb := to_jsonb(NEW);
BEGIN
  NEW.search_text := task_folded_text(r ->> 'title', r ->> 'description');
  RETURN NEW;
END
$$""",
    "DROP TRIGGER IF EXISTS task_search_text ON task",
    # On every update, not `UPDATE OF title, description`: a column named there could no
    # longer change its type (a later migration's ALTER would fail).
    """CREATE TRIGGER task_search_text BEFORE INSERT OR UPDATE ON task
  FOR EACH ROW EXECUTE FUNCTION task_search_text()""",
)


def _fill() -> None:
    """The tasks this role may see, a batch of ids per transaction (short row locks)."""
    bind = op.get_bind()
    last = bind.execute(sa.text("SELECT coalesce(max(id), 0) FROM task")).scalar_one()
    for start in range(0, last + 1, _FILL_BATCH):
        bind.execute(_FILL, {"start": start, "end": start + _FILL_BATCH})


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.add_column("task", sa.Column("search_text", sa.Text(), nullable=True))
        return
    op.execute("LOCK TABLE task IN ACCESS EXCLUSIVE MODE")
    op.execute("ALTER TABLE task ADD COLUMN IF NOT EXISTS search_text text")
    for statement in _TRIGGER:
        op.execute(statement)
    with op.get_context().autocommit_block():
        _fill()
        for name, definition in _INDEXES.items():
            build_index_concurrently(name, definition)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        for name in _INDEXES:
            op.drop_index(name, table_name="task", if_exists=True)
        op.execute("DROP TRIGGER IF EXISTS task_search_text ON task")
        op.execute("DROP FUNCTION IF EXISTS task_search_text()")
        op.execute("DROP FUNCTION IF EXISTS task_folded_text(text, text)")
    op.drop_column("task", "search_text")
