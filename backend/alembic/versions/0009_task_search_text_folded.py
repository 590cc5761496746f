"""Search folds text with one rule, the API's (app/core/folding.py), on both databases.

Migration 0008's trigger filled `task.search_text` with PostgreSQL's `lower()`, and the API
folded the query with Python's: the two disagree ("İstanbul", final sigma, "ß"). From now on
the API writes the folded text itself, with its one rule, on every insert and on every change
of a title or a description. This migration:

- replaces the trigger: it no longer folds anything; it only clears `search_text` when an
  update changes the title or the description without writing `search_text` (an API of an
  earlier version, during a rolling deploy), so that no stale folded text outlives its text
  (a null one is searched as written: app/db/portable.py);
- folds every existing task's text again, with the API's rule, in batches of their own
  transactions (short row locks); each row only if its text is still the one read, so a
  concurrent change by the API wins. The refold covers what the migrating role may see, as
  0008's fill did.

Expand-only and safe while the API serves: no column or index changes (the trigger swapped
under the table's lock, taken first, in one short transaction).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

from app.core.folding import search_text

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1_000
_task = sa.table(
    "task",
    sa.column("id", sa.BigInteger),
    sa.column("title", sa.Text),
    sa.column("description", sa.Text),
    sa.column("search_text", sa.Text),
)
_READ = sa.select(_task.c.id, _task.c.title, _task.c.description).where(
    _task.c.id >= sa.bindparam("start"), _task.c.id < sa.bindparam("end")
)
_WRITE = (
    sa.update(_task)
    .where(
        _task.c.id == sa.bindparam("row_id"),
        _task.c.title == sa.bindparam("seen_title"),
        _task.c.description.is_not_distinct_from(sa.bindparam("seen_description")),
    )
    .values(search_text=sa.bindparam("folded"))
)
_TRIGGER = (
    "LOCK TABLE task IN SHARE ROW EXCLUSIVE MODE",
    # Through the rows as JSON, as 0008 says why (a column's type may change later).
    """CREATE OR REPLACE FUNCTION task_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r jsonb := to_jsonb(NEW);
  o jsonb := to_jsonb(OLD);
BEGIN
  IF (r ->> 'title', r ->> 'description') IS DISTINCT FROM (o ->> 'title', o ->> 'description')
     AND (r ->> 'search_text') IS NOT DISTINCT FROM (o ->> 'search_text') THEN
    NEW.search_text := NULL;
  END IF;
  RETURN NEW;
END
$$""",
    "DROP TRIGGER IF EXISTS task_search_text ON task",
    """CREATE TRIGGER task_search_text BEFORE UPDATE ON task
  FOR EACH ROW EXECUTE FUNCTION task_search_text()""",
    "DROP FUNCTION IF EXISTS task_folded_text(text, text)",
)


def _refold() -> None:
    bind = op.get_bind()
    last = bind.execute(sa.text("SELECT coalesce(max(id), 0) FROM task")).scalar_one()
    for start in range(0, last + 1, _BATCH):
        rows = bind.execute(_READ, {"start": start, "end": start + _BATCH}).all()
        if rows:
            bind.execute(
                _WRITE,
                [
                    {
                        "row_id": row.id,
                        "seen_title": row.title,
                        "seen_description": row.description,
                        "folded": search_text(row.title, row.description),
                    }
                    for row in rows
                ],
            )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        _refold()
        return
    for statement in _TRIGGER:
        op.execute(statement)
    with op.get_context().autocommit_block():
        _refold()


def downgrade() -> None:
    """Back to 0008's trigger and its folding (its own definitions, read from its script)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    path = Path(__file__).with_name("0008_task_search_text.py")
    spec = importlib.util.spec_from_file_location("migration_0008", path)
    assert spec is not None and spec.loader is not None
    previous = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(previous)
    op.execute("LOCK TABLE task IN ACCESS EXCLUSIVE MODE")
    for statement in previous._TRIGGER:
        op.execute(statement)
    op.execute("UPDATE task SET search_text = task_folded_text(title, description)")
