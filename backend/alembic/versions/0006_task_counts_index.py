"""An index that answers counts and the tag filter from the index alone: (user_id, id) with
`completed`.

`GET /tasks/counts` needs every matching task's `completed`; the tag filter needs each of the
user's task ids in the list's order. With the tagged tasks' ids as a hashed set (app/statements.py),
both become index-only scans over the user's own entries: the counts over this index, the list
over (user_id, created_at, id); no heap page is read for a row that does not match. Without
it, counting a user's tasks reads a heap page per task.

Its cost: a change of `completed` can no longer be a HOT update (the index holds the column).

Expand-only and safe while the API serves (PostgreSQL): the index is built CONCURRENTLY,
outside a transaction, and a rerun after a failed build drops the invalid index and builds it
again (as in 0004). On SQLite the same columns make a covering index (no INCLUDE there).

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

from app.db.online_ddl import build_index_concurrently

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME = "ix_task_user_id_id_completed"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute(f"CREATE INDEX IF NOT EXISTS {_NAME} ON task (user_id, id, completed)")
        return
    with op.get_context().autocommit_block():
        build_index_concurrently(_NAME, "ON task (user_id, id) INCLUDE (completed)")


def downgrade() -> None:
    op.drop_index(_NAME, table_name="task", if_exists=True)
