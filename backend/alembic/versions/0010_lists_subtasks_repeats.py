"""Lists, subtasks, due times, repeating tasks and the manual order (issue 20).

- `task_list`: a user's lists, the name unique per user ignoring case (a unique index on the
  folded name, so two concurrent creations of one name cannot both pass), row-level security
  forced as on every table (0002).
- `task`: list_id, parent_id, due_time, repeat, repeat_from, repeat_done, repeat_of, position.
  New columns only: nullable or with a constant default, so adding them rewrites nothing, and
  statements compiled before keep their result types. The two CHECKs (a time or a repeat needs a
  due date) are added NOT VALID under the table lock (no scan) and validated afterwards under a
  lock that lets reads and writes go on. Existing tasks keep position 0: the manual order of old
  tasks is their id's until they are moved.
- Indexes for ?list= (default order and sort=manual), for a parent's subtasks and the
  top-level tasks in manual order, and the counts' index again for top-level tasks alone
  (counts count top-level tasks; the index of 0006 cannot answer `parent_id IS NULL`): built
  CONCURRENTLY outside a transaction, an invalid one left by a failed build rebuilt on a rerun.

Expand-only and safe while the API serves (PostgreSQL): the table's lock is taken first, as
every write takes it, so that it is not an upgrade from a weaker lock. SQLite gets the same
columns, constraints and indexes (its counts use the plain index).

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.online_ddl import build_index_concurrently

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CALLER = "current_setting('app.user_id', true)"
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_COLORS = ("gray", "red", "orange", "yellow", "green", "teal", "blue", "purple", "pink")

_INDEXES = {
    "ix_task_user_id_list_id_created_at_id": "(user_id, list_id, created_at, id)",
    "ix_task_user_id_list_id_position_id": "(user_id, list_id, position, id)",
    "ix_task_user_id_parent_id_position_id": "(user_id, parent_id, position, id)",
}
_POSTGRES_INDEXES = {
    **_INDEXES,
    "ix_task_user_id_id_completed_top_level": (
        "(user_id, id) INCLUDE (completed) WHERE parent_id IS NULL"
    ),
}
# Each new column's CHECK, by column: its name and its condition.
_CHECKS = {
    "due_time": ("ck_task_due_time_dated", "due_time IS NULL OR due_date IS NOT NULL"),
    "repeat": ("ck_task_repeat_dated", "repeat IS NULL OR due_date IS NOT NULL"),
}
_COLUMNS = (
    ("list_id", "BIGINT", "INTEGER"),
    ("parent_id", "BIGINT", "INTEGER"),
    ("due_time", "varchar(5)", "VARCHAR(5)"),
    ("repeat", "varchar(200)", "VARCHAR(200)"),
    ("repeat_from", "varchar(10) NOT NULL DEFAULT 'due'", "VARCHAR(10) NOT NULL DEFAULT 'due'"),
    ("repeat_done", "integer NOT NULL DEFAULT 0", "INTEGER NOT NULL DEFAULT 0"),
    ("repeat_of", "BIGINT", "INTEGER"),
    ("position", "double precision NOT NULL DEFAULT 0", "FLOAT NOT NULL DEFAULT 0"),
)


def _create_list_table() -> None:
    colors = ", ".join(f"'{color}'" for color in _COLORS)
    op.create_table(
        "task_list",
        sa.Column("id", _ID, sa.Identity(), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("folded_name", sa.String(240), nullable=False),
        sa.Column("color", sa.String(6), nullable=False, server_default="gray"),
        sa.Column("position", sa.Double(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_task_list"),
        sa.UniqueConstraint("user_id", "folded_name", name="uq_task_list_user_id_folded_name"),
        sa.CheckConstraint(f"color IN ({colors})", name="ck_task_list_color"),
        sqlite_autoincrement=True,
        if_not_exists=True,
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        _create_list_table()
        for name, _, sqlite_type in _COLUMNS:
            constraint, condition = _CHECKS.get(name, ("", ""))
            check = f" CONSTRAINT {constraint} CHECK ({condition})" if constraint else ""
            op.execute(f"ALTER TABLE task ADD COLUMN {name} {sqlite_type}{check}")
        for name, columns in _INDEXES.items():
            op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON task {columns}")
        return
    _create_list_table()
    op.execute("ALTER TABLE task_list ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE task_list FORCE ROW LEVEL SECURITY")
    op.execute("DROP POLICY IF EXISTS task_list_owner ON task_list")
    op.execute(
        f"CREATE POLICY task_list_owner ON task_list USING (user_id = {_CALLER}) "
        f"WITH CHECK (user_id = {_CALLER})"
    )
    op.execute("LOCK TABLE task IN ACCESS EXCLUSIVE MODE")
    op.execute(
        "ALTER TABLE task "
        + ", ".join(f"ADD COLUMN IF NOT EXISTS {name} {type_}" for name, type_, _ in _COLUMNS)
    )
    for name, definition in _CHECKS.values():
        op.execute(
            f"DO $$ BEGIN ALTER TABLE task ADD CONSTRAINT {name} CHECK ({definition}) NOT VALID; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
    with op.get_context().autocommit_block():
        for name, _ in _CHECKS.values():
            op.execute(f"ALTER TABLE task VALIDATE CONSTRAINT {name}")
        for name, definition in _POSTGRES_INDEXES.items():
            build_index_concurrently(name, f"ON task {definition}")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name in _POSTGRES_INDEXES if postgres else _INDEXES:
        op.drop_index(name, table_name="task", if_exists=True)
    if postgres:
        for name, _ in _CHECKS.values():
            op.execute(f"ALTER TABLE task DROP CONSTRAINT IF EXISTS {name}")
    for name, _, _ in reversed(_COLUMNS):
        op.drop_column("task", name)
    op.drop_table("task_list")
