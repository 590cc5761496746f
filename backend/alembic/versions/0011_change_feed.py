"""The change feed of GET /events (issue 22): a `change` row per change to a task or a list.

- `change`: id (the stream's cursor), user_id, kind ("task" or "list"), entity_id, action
  ("created", "updated", "deleted"), created_at; an index on (user_id, id) for a stream's
  reads; row-level security forced as on every table (0002), and on PostgreSQL a second policy
  that lets the API's pruning (app/changes.py, with `app.prune_changes` set for its
  transaction) read and delete rows older than the 24 hours a stream's replay promises.
- Triggers on task and task_list write the rows in the writing transaction, so every write
  path (a bulk change, an import, a move, a repeating task's completion, a list deleted with
  its tasks) records what it changed, committed or rolled back with it. A task's change also
  records its parent (whose subtask counts change) and its list(s) (whose open count changes)
  as updated, when it comes, goes, or changes its completion, parent or list.
- PostgreSQL: the trigger takes a per-user lock until the commit (a user's writers then take
  their cursors in commit order: a stream never reads a cursor past one not yet committed),
  and notifies channel `app_changes` with the user id (one per transaction: PostgreSQL folds
  equal notifications), which each API worker LISTENs to. A write made with no caller set (an
  operator's, a migration's) records nothing. SQLite has one writer at a time and no LISTEN:
  the API wakes its streams itself after a write (app/db/sqlite.py).

Expand-only and safe while the API serves: a new table (empty, its index built with it), and
triggers created under a short lock of the two tables that lets reads go on (writers wait for
it). Rerunnable: everything is created if missing or replaced.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CALLER = "current_setting('app.user_id', true)"
# The first key of the per-user lock that orders a user's changes (the second is the user's
# hash); not the space of app.db.portable.USER_LOCK_SPACE, which the writers hold shared.
CHANGE_LOCK_SPACE = 0x63686E67
CHANNEL = "app_changes"
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  writer text;
BEGIN
  IF coalesce({_CALLER}, '') = '' THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN writer := OLD.user_id; ELSE writer := NEW.user_id; END IF;
  PERFORM pg_advisory_xact_lock({CHANGE_LOCK_SPACE}, hashtext(writer));
  INSERT INTO change (user_id, kind, entity_id, action, created_at) VALUES (
    writer,
    TG_ARGV[0],
    CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END,
    CASE TG_OP WHEN 'INSERT' THEN 'created' WHEN 'UPDATE' THEN 'updated' ELSE 'deleted' END,
    now()
  );
  -- Nested: a list's row has none of these columns (PL/pgSQL plans a statement when it runs).
  IF TG_ARGV[0] = 'task' THEN
    IF TG_OP <> 'UPDATE'
      OR OLD.completed IS DISTINCT FROM NEW.completed
      OR OLD.parent_id IS DISTINCT FROM NEW.parent_id
      OR OLD.list_id IS DISTINCT FROM NEW.list_id
    THEN
      INSERT INTO change (user_id, kind, entity_id, action, created_at)
      SELECT DISTINCT writer, touched.kind, touched.entity_id, 'updated', now()
      FROM (VALUES ('task', OLD.parent_id), ('task', NEW.parent_id),
                   ('list', OLD.list_id), ('list', NEW.list_id)) AS touched (kind, entity_id)
      WHERE touched.entity_id IS NOT NULL;
    END IF;
  END IF;
  PERFORM pg_notify('{CHANNEL}', writer);
  RETURN NULL;
END
$$
"""  # noqa: S608 (constants only)

_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
_ACTIONS = {
    "INSERT": ("created", "NEW"),
    "UPDATE": ("updated", "NEW"),
    "DELETE": ("deleted", "OLD"),
}
# What else a task's change changes: its parent's subtask counts and its lists' open counts.
_SQLITE_TOUCHED = {
    "INSERT": (
        "SELECT 'task' AS kind, NEW.parent_id AS entity_id UNION SELECT 'list', NEW.list_id",
        "1",
    ),
    "UPDATE": (
        "SELECT 'task' AS kind, OLD.parent_id AS entity_id UNION SELECT 'task', NEW.parent_id "
        "UNION SELECT 'list', OLD.list_id UNION SELECT 'list', NEW.list_id",
        "(OLD.completed IS NOT NEW.completed OR OLD.parent_id IS NOT NEW.parent_id "
        "OR OLD.list_id IS NOT NEW.list_id)",
    ),
    "DELETE": (
        "SELECT 'task' AS kind, OLD.parent_id AS entity_id UNION SELECT 'list', OLD.list_id",
        "1",
    ),
}
_TABLES = {"task": "task", "task_list": "list"}


def _sqlite_trigger_names() -> tuple[str, ...]:
    return tuple(f"{table}_{action}" for table in _TABLES for action, _ in _ACTIONS.values())


def _sqlite_trigger(table: str, operation: str) -> str:
    action, row = _ACTIONS[operation]
    body = (
        "INSERT INTO change (user_id, kind, entity_id, action, created_at) VALUES "  # noqa: S608
        f"({row}.user_id, '{_TABLES[table]}', {row}.id, '{action}', {_SQLITE_NOW});"
    )
    if table == "task":
        touched, when = _SQLITE_TOUCHED[operation]
        body += (
            "\n  INSERT INTO change (user_id, kind, entity_id, action, created_at) "  # noqa: S608
            f"SELECT {row}.user_id, kind, entity_id, 'updated', {_SQLITE_NOW} FROM ({touched}) "
            f"WHERE entity_id IS NOT NULL AND {when};"
        )
    return (
        f"CREATE TRIGGER IF NOT EXISTS {table}_{action} AFTER {operation} ON {table} "
        f"FOR EACH ROW BEGIN\n  {body}\nEND"
    )


def upgrade() -> None:
    op.create_table(
        "change",
        sa.Column("id", _ID, sa.Identity(), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(4), nullable=False),
        sa.Column("entity_id", _ID, nullable=False),
        sa.Column("action", sa.String(7), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_change"),
        sqlite_autoincrement=True,
        if_not_exists=True,
    )
    op.create_index("ix_change_user_id_id", "change", ["user_id", "id"], if_not_exists=True)
    if op.get_bind().dialect.name != "postgresql":
        for table in _TABLES:
            for operation in _ACTIONS:
                op.execute(_sqlite_trigger(table, operation))
        return
    op.execute("ALTER TABLE change ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE change FORCE ROW LEVEL SECURITY")
    op.execute("DROP POLICY IF EXISTS change_owner ON change")
    op.execute(
        f"CREATE POLICY change_owner ON change USING (user_id = {_CALLER}) "
        f"WITH CHECK (user_id = {_CALLER})"
    )
    op.execute("DROP POLICY IF EXISTS change_expired ON change")
    op.execute(
        "CREATE POLICY change_expired ON change "
        "USING (current_setting('app.prune_changes', true) = 'on' "
        "AND created_at < now() - interval '24 hours')"
    )
    op.execute(_POSTGRES_FUNCTION)
    # CREATE TRIGGER waits for the writers of its table, and they for it: both tables are
    # locked first, in the order a list's deletion writes them (the list, then its tasks).
    op.execute("LOCK TABLE task_list, task IN SHARE ROW EXCLUSIVE MODE")
    for table, kind in _TABLES.items():
        op.execute(f"DROP TRIGGER IF EXISTS {table}_changed ON {table}")
        op.execute(
            f"CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION record_change('{kind}')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_changed ON {table}")
        op.execute("DROP FUNCTION IF EXISTS record_change()")
    else:
        for name in _sqlite_trigger_names():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("change")
