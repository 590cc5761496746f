"""A top-level task carries its subtask counts (total, completed), kept by the database (issue 20).

The list showed each parent's counts from a subquery per row of the page (20 index descents,
each with its one-time row-level security filter): the largest part of the list's time in
PostgreSQL (bench/README.md). Stored on the parent, they are two more columns of the row read.

- `task.subtasks_total`, `task.subtasks_completed`: integers, null where not counted yet (the
  API then counts as before: app/statements.py), 0 for a new task.
- Kept by triggers, whoever writes (an API of an older version during a rolling deploy, an
  import, a bulk change, a list deleted with its tasks): a subtask added, removed, completed or
  re-opened, or moved to another parent, adds to or takes from its parent's counts in the
  writing transaction. Only rows whose parent or completion changes fire them.
- The change feed (0011) records a task's parent as updated when a subtask comes, goes or
  changes its completion: the parent's count update itself records nothing more (on
  PostgreSQL, `record_change` returns early for an update that changes the counts: only these
  triggers write them; on SQLite the update trigger has a WHEN).

Expand-only and safe while the API serves. PostgreSQL: the columns are added without a default
(no rewrite; a moment's exclusive lock, as in 0010), then given the default 0 for new rows; the
triggers and the feed's function are replaced in the same short transaction. Existing tasks
are then counted in batches of their own transactions: each batch first locks its tasks
(FOR NO KEY UPDATE: a subtask's writer, which updates its parent through the trigger, has
committed or waits), then counts in a fresh snapshot, so no change is missed or counted twice.
What the migrating role may not see (row-level security) stays null and is counted by the API.
SQLite: the same columns (0 at once), triggers and counts in the migration's transaction.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("subtasks_total", "subtasks_completed")
_BATCH = 2_000


def _change_feed() -> ModuleType:
    """Migration 0011's script: its definitions of the change feed's triggers."""
    path = Path(__file__).with_name("0011_change_feed.py")
    spec = importlib.util.spec_from_file_location("migration_0011", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The one update of a row that changes its counts is the triggers' own (SET of the counts
# alone): the subtask's change has recorded its parent already. Nested, as 0011's own test of
# the row's columns is: a list's row has no such columns.
_COUNTS_CHANGED = """  IF TG_OP = 'UPDATE' AND TG_ARGV[0] = 'task' THEN
    IF (OLD.subtasks_total, OLD.subtasks_completed)
       IS DISTINCT FROM (NEW.subtasks_total, NEW.subtasks_completed) THEN
      RETURN NULL;
    END IF;
  END IF;
"""


def _record_change(feed: ModuleType) -> str:
    function: str = feed._POSTGRES_FUNCTION
    start = "BEGIN\n"
    assert function.count(start) == 1
    return function.replace(start, start + _COUNTS_CHANGED)


# The subtask `row` (NEW or OLD) added to (`sign` +) or taken from (-) its parent's counts. A
# null count (not counted yet) stays null: the migration's count, which waits for this
# transaction's lock on the parent, then counts the subtask itself.
def _adjust(row: str, sign: str, completed: str) -> str:
    return (
        f"UPDATE task SET subtasks_total = subtasks_total {sign} 1, "  # noqa: S608 (constants only)
        f"subtasks_completed = subtasks_completed {sign} {completed} "
        f"WHERE id = {row}.parent_id"
    )


# Nested IFs: OLD is not assigned in an INSERT's trigger, nor NEW in a DELETE's.
_POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION task_subtask_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    IF OLD.parent_id IS NOT NULL THEN
      {_adjust("OLD", "-", "OLD.completed::int")};
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    IF NEW.parent_id IS NOT NULL THEN
      {_adjust("NEW", "+", "NEW.completed::int")};
    END IF;
  END IF;
  RETURN NULL;
END
$$
"""
# Which writes fire them: (name, event, condition).
_TRIGGERS = (
    ("task_subtask_added", "INSERT", "NEW.parent_id IS NOT NULL"),
    ("task_subtask_removed", "DELETE", "OLD.parent_id IS NOT NULL"),
    (
        "task_subtask_changed",
        "UPDATE OF parent_id, completed",
        "OLD.parent_id IS DISTINCT FROM NEW.parent_id "
        "OR (NEW.parent_id IS NOT NULL AND OLD.completed IS DISTINCT FROM NEW.completed)",
    ),
)
_SQLITE_STEPS = {
    "task_subtask_added": (_adjust("NEW", "+", "NEW.completed"),),
    "task_subtask_removed": (_adjust("OLD", "-", "OLD.completed"),),
    "task_subtask_changed": (
        _adjust("OLD", "-", "OLD.completed"),
        _adjust("NEW", "+", "NEW.completed"),
    ),
}


def _sqlite_trigger(name: str, event: str, condition: str) -> str:
    steps = "".join(f"  {step};\n" for step in _SQLITE_STEPS[name])
    condition = condition.replace("IS DISTINCT FROM", "IS NOT")
    return (
        f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON task "
        f"FOR EACH ROW WHEN {condition}\nBEGIN\n{steps}END"
    )


def _sqlite_task_updated(feed: ModuleType, counted: bool) -> tuple[str, ...]:
    """0011's update trigger of task, left silent (`counted`) for the count updates."""
    trigger: str = feed._sqlite_trigger("task", "UPDATE")
    if counted:
        unchanged = " AND ".join(f"OLD.{name} IS NEW.{name}" for name in _COLUMNS)
        head = "FOR EACH ROW BEGIN"
        assert head in trigger
        trigger = trigger.replace(head, f"FOR EACH ROW WHEN {unchanged} BEGIN")
    return ("DROP TRIGGER IF EXISTS task_updated", trigger)


# Each task's counts (a subtask's are 0), from the subtasks' index (user_id, parent_id, ...).
_COUNTED = """UPDATE task SET
  subtasks_total = (SELECT count(*) FROM task AS subtask
                    WHERE subtask.user_id = task.user_id AND subtask.parent_id = task.id),
  subtasks_completed = (SELECT count(*) FROM task AS subtask
                        WHERE subtask.user_id = task.user_id AND subtask.parent_id = task.id
                          AND subtask.completed)"""


def _count_batch(start: int, end: int) -> str:
    """One batch of ids in one transaction (a DO block): its tasks not counted yet locked
    first, then counted by a later statement, which takes a fresh snapshot (READ COMMITTED)."""
    rows = f"id >= {start} AND id < {end} AND subtasks_total IS NULL"
    return (
        "DO $$ BEGIN\n"
        f"  PERFORM 1 FROM task WHERE {rows} FOR NO KEY UPDATE;\n"
        f"  {_COUNTED} WHERE {rows};\n"
        "END $$"
    )


def _count_existing() -> None:
    bind = op.get_bind()
    last = bind.execute(sa.text("SELECT coalesce(max(id), 0) FROM task")).scalar_one()
    for start in range(0, last + 1, _BATCH):
        op.execute(_count_batch(start, start + _BATCH))


def upgrade() -> None:
    feed = _change_feed()
    if op.get_bind().dialect.name != "postgresql":
        for name in _COLUMNS:
            op.execute(f"ALTER TABLE task ADD COLUMN {name} INTEGER DEFAULT 0")
        for name, event, condition in _TRIGGERS:
            op.execute(_sqlite_trigger(name, event, condition))
        for statement in _sqlite_task_updated(feed, counted=True):
            op.execute(statement)
        op.execute(_COUNTED)
        return
    op.execute("LOCK TABLE task IN ACCESS EXCLUSIVE MODE")
    op.execute(
        "ALTER TABLE task "
        + ", ".join(f"ADD COLUMN IF NOT EXISTS {name} integer" for name in _COLUMNS)
    )
    op.execute(
        "ALTER TABLE task " + ", ".join(f"ALTER COLUMN {name} SET DEFAULT 0" for name in _COLUMNS)
    )
    op.execute(_POSTGRES_FUNCTION)
    for name, event, condition in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON task")
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON task FOR EACH ROW WHEN ({condition}) "
            "EXECUTE FUNCTION task_subtask_counts()"
        )
    op.execute(_record_change(feed))
    with op.get_context().autocommit_block():
        _count_existing()


def downgrade() -> None:
    feed = _change_feed()
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(feed._POSTGRES_FUNCTION)
    else:
        for statement in _sqlite_task_updated(feed, counted=False):
            op.execute(statement)
    for name, _, _ in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON task" if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS task_subtask_counts()")
    for name in reversed(_COLUMNS):
        op.drop_column("task", name)
