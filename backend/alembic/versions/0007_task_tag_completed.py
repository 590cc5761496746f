"""Each tag link carries its task's `completed`: counts filtered by tags read the links alone.

`GET /tasks/counts?tag=...` needs every tagged task's `completed`. Read from `task`, that is an
index entry (migration 0006) for each of the user's tasks, tagged or not; carried on the link
and in an index with it, only the tagged tasks' entries are read.

Kept by triggers, whoever writes: a new link takes its task's value (BEFORE INSERT), and a
change of a task's `completed` is copied to its links (AFTER UPDATE, only when it changes). The
API writes a task row before its links in the same transaction, so a concurrent change of the
same task waits for the links and then updates them too. Links written before this migration
keep NULL where the migration cannot fill them (under FORCE ROW LEVEL SECURITY only a superuser
can update other users' rows): the counts read the task for those (app/statements.py).

Expand-only and safe while the API serves (PostgreSQL): a nullable column without a default
(no rewrite, a moment's lock on task_tag), triggers (a moment's lock on task, taken first and
waiting for the writes in flight), and the index built CONCURRENTLY, outside a transaction,
rebuilt by a rerun if a build failed (as in 0004). SQLite: the same column, triggers and index,
and every link filled at once.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.online_ddl import build_index_concurrently

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEX = "ix_task_tag_user_id_tag_id_completed"

_POSTGRES_TRIGGERS = (
    """CREATE OR REPLACE FUNCTION task_tag_completed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.completed IS NULL THEN
    SELECT completed INTO NEW.completed FROM task WHERE id = NEW.task_id;
  END IF;
  RETURN NEW;
END
$$""",
    "DROP TRIGGER IF EXISTS task_tag_completed ON task_tag",
    """CREATE TRIGGER task_tag_completed BEFORE INSERT ON task_tag
  FOR EACH ROW EXECUTE FUNCTION task_tag_completed()""",
    """CREATE OR REPLACE FUNCTION task_completed_links() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE task_tag SET completed = NEW.completed WHERE task_id = NEW.id;
  RETURN NULL;
END
$$""",
    "DROP TRIGGER IF EXISTS task_completed_links ON task",
    """CREATE TRIGGER task_completed_links AFTER UPDATE OF completed ON task
  FOR EACH ROW WHEN (OLD.completed IS DISTINCT FROM NEW.completed)
  EXECUTE FUNCTION task_completed_links()""",
)

_SQLITE_TRIGGERS = (
    """CREATE TRIGGER task_tag_completed AFTER INSERT ON task_tag WHEN NEW.completed IS NULL
BEGIN
  UPDATE task_tag SET completed = (SELECT completed FROM task WHERE id = NEW.task_id)
  WHERE task_id = NEW.task_id AND tag_id = NEW.tag_id;
END""",
    """CREATE TRIGGER task_completed_links AFTER UPDATE OF completed ON task
  WHEN OLD.completed IS NOT NEW.completed
BEGIN
  UPDATE task_tag SET completed = NEW.completed WHERE task_id = NEW.id;
END""",
)

_FILL = (
    "UPDATE task_tag SET completed = (SELECT completed FROM task WHERE id = task_tag.task_id) "
    "WHERE completed IS NULL"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.add_column("task_tag", sa.Column("completed", sa.Boolean(), nullable=True))
        for trigger in _SQLITE_TRIGGERS:
            op.execute(trigger)
        op.execute(f"CREATE INDEX {_INDEX} ON task_tag (user_id, tag_id, task_id, completed)")
        op.execute(_FILL)
        return
    # The task table's lock first, as every write takes them (a task's delete cascades to its
    # links): taken after task_tag's, a delete in flight would wait on one and hold the other.
    op.execute("LOCK TABLE task IN SHARE ROW EXCLUSIVE MODE")
    op.execute("ALTER TABLE task_tag ADD COLUMN IF NOT EXISTS completed boolean")
    for statement in _POSTGRES_TRIGGERS:
        op.execute(statement)
    with op.get_context().autocommit_block():
        build_index_concurrently(
            _INDEX, "ON task_tag (user_id, tag_id, task_id) INCLUDE (completed)"
        )
        # Fills what this role may see (all of it for a superuser; nothing for a role that
        # row-level security binds and that has no caller set).
        op.execute(_FILL)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.drop_index(_INDEX, table_name="task_tag", if_exists=True)
    op.execute("DROP TRIGGER IF EXISTS task_completed_links" + (" ON task" if postgres else ""))
    op.execute("DROP TRIGGER IF EXISTS task_tag_completed" + (" ON task_tag" if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS task_completed_links()")
        op.execute("DROP FUNCTION IF EXISTS task_tag_completed()")
    op.drop_column("task_tag", "completed")
