"""Task details: priority, due date, completion time, tags; indexes for the sorts and tags.

Expand-only, and safe to apply while the API serves (PostgreSQL):

- New columns only, none changed: statements compiled before (and the per-connection statement
  functions built from them) keep their result types. `priority` and `tags` have constant
  defaults, so adding them rewrites nothing; the CHECK on `priority` is added NOT VALID (no scan
  under the table lock) and validated afterwards under a lock that lets reads and writes go on.
- The new indexes on `task` are built CONCURRENTLY, outside a transaction (Alembic's autocommit
  block): a plain build would block every write to the table for as long as it takes. A build
  that fails leaves an invalid index behind; a rerun drops it and builds it again, and every
  step before is idempotent too, since the steps before the autocommit block are already
  committed when a build fails.
- `tag` and `task_tag` are new (and empty), so their indexes are built in the transaction.

Tags: `task.tags` holds a task's tag names as the API shows them (sorted); `tag` holds each
user's tag names once, with how many of the user's tasks carry each (`task_count`); `task_tag`
links tasks to tags, for the tag filter. Triggers on `task_tag` keep the counts and delete
a tag whose count reaches 0, so /tags never lists an unused tag. On PostgreSQL they are
statement-level (a bulk delete updates each tag once) and lock the tags in name order, as the
API's tag upsert does, so that concurrent writers never wait on each other in a circle; the
count is a column of the locked row itself, so a concurrent link and unlink cannot lose an update
or delete a tag still in use. Row-level security holds on both tables, keyed on `app.user_id`
as in 0002.

Search (q) has no index of its own: it scans the caller's rows (found through a user index). A
pg_trgm GIN index would serve ILIKE '%word%' for a superuser, but never for the API: under
row-level security PostgreSQL applies a query's own conditions only after the policy's unless
they are leakproof, and no LIKE, regex, full-text or trigram operator is, so none of them can
be an index condition on `task` (EXPLAIN as the API's role shows a seq scan even with every
other index dropped).

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.online_ddl import build_index_concurrently

revision: str = "0004"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CALLER = "current_setting('app.user_id', true)"
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_USER_ID = sa.String(255)

# Indexes on task, each "this user's tasks in one order" (the search index aside).
_TASK_INDEXES = {
    "ix_task_user_id_due_date_id": "(user_id, due_date, id)",
    "ix_task_user_id_priority_id": "(user_id, priority, id)",
}
_POSTGRES_TASK_INDEXES = {
    **_TASK_INDEXES,
    # SQLite sorts titles with a function of the API's own (Python's lower), which an index
    # could not use without every other client of the file having it too.
    "ix_task_user_id_lower_title_id": "(user_id, lower(title), id)",
}

_POSTGRES_COUNT_TRIGGERS = (
    """CREATE OR REPLACE FUNCTION tag_count_linked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM FROM tag WHERE id IN (SELECT tag_id FROM linked) ORDER BY user_id, name FOR UPDATE;
  UPDATE tag SET task_count = tag.task_count + changed.n
  FROM (SELECT tag_id, count(*) AS n FROM linked GROUP BY tag_id) AS changed
  WHERE tag.id = changed.tag_id;
  RETURN NULL;
END
$$""",
    """CREATE OR REPLACE FUNCTION tag_count_unlinked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM FROM tag WHERE id IN (SELECT tag_id FROM unlinked) ORDER BY user_id, name FOR UPDATE;
  UPDATE tag SET task_count = tag.task_count - changed.n
  FROM (SELECT tag_id, count(*) AS n FROM unlinked GROUP BY tag_id) AS changed
  WHERE tag.id = changed.tag_id;
  DELETE FROM tag WHERE id IN (SELECT tag_id FROM unlinked) AND task_count <= 0;
  RETURN NULL;
END
$$""",
    "DROP TRIGGER IF EXISTS task_tag_linked ON task_tag",
    """CREATE TRIGGER task_tag_linked AFTER INSERT ON task_tag REFERENCING NEW TABLE AS linked
  FOR EACH STATEMENT EXECUTE FUNCTION tag_count_linked()""",
    "DROP TRIGGER IF EXISTS task_tag_unlinked ON task_tag",
    """CREATE TRIGGER task_tag_unlinked AFTER DELETE ON task_tag REFERENCING OLD TABLE AS unlinked
  FOR EACH STATEMENT EXECUTE FUNCTION tag_count_unlinked()""",
)

# SQLite has row triggers only, and cascades only with PRAGMA foreign_keys on (off by default):
# a trigger removes a deleted task's links instead.
_SQLITE_TRIGGERS = (
    """CREATE TRIGGER task_tag_linked AFTER INSERT ON task_tag BEGIN
  UPDATE tag SET task_count = task_count + 1 WHERE id = NEW.tag_id;
END""",
    """CREATE TRIGGER task_tag_unlinked AFTER DELETE ON task_tag BEGIN
  UPDATE tag SET task_count = task_count - 1 WHERE id = OLD.tag_id;
  DELETE FROM tag WHERE id = OLD.tag_id AND task_count <= 0;
END""",
    """CREATE TRIGGER task_unlink_tags AFTER DELETE ON task BEGIN
  DELETE FROM task_tag WHERE task_id = OLD.id;
END""",
)


def _create_tag_tables() -> None:
    op.create_table(
        "tag",
        sa.Column("id", _ID, sa.Identity(), nullable=False),
        sa.Column("user_id", _USER_ID, nullable=False),
        sa.Column(
            "name",
            sa.String(32).with_variant(sa.String(32, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("task_count", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.PrimaryKeyConstraint("id", name="pk_tag"),
        sa.UniqueConstraint("user_id", "name", name="uq_tag_user_id_name"),
        if_not_exists=True,
    )
    op.create_table(
        "task_tag",
        sa.Column("task_id", _ID, nullable=False),
        sa.Column("tag_id", _ID, nullable=False),
        sa.Column("user_id", _USER_ID, nullable=False),
        sa.PrimaryKeyConstraint("task_id", "tag_id", name="pk_task_tag"),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name="fk_task_tag_task_id_task", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["tag_id"], ["tag.id"], name="fk_task_tag_tag_id_tag"),
        sqlite_with_rowid=False,
        if_not_exists=True,
    )
    op.create_index(
        "ix_task_tag_user_id_tag_id_task_id",
        "task_tag",
        ["user_id", "tag_id", "task_id"],
        if_not_exists=True,
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
        return
    op.execute(
        "ALTER TABLE task ADD COLUMN priority SMALLINT NOT NULL DEFAULT 0 "
        "CONSTRAINT ck_task_priority CHECK (priority BETWEEN 0 AND 3)"
    )
    op.add_column("task", sa.Column("due_date", sa.Date(), nullable=True))
    op.add_column("task", sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("ALTER TABLE task ADD COLUMN tags TEXT NOT NULL DEFAULT '[]'")
    _create_tag_tables()
    for trigger in _SQLITE_TRIGGERS:
        op.execute(trigger)
    for name, columns in _TASK_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON task {columns}")


def _upgrade_postgresql() -> None:
    op.execute(
        "ALTER TABLE task ADD COLUMN IF NOT EXISTS priority smallint NOT NULL DEFAULT 0, "
        "ADD COLUMN IF NOT EXISTS due_date date, "
        "ADD COLUMN IF NOT EXISTS completed_at timestamp with time zone, "
        "ADD COLUMN IF NOT EXISTS tags varchar(32)[] NOT NULL DEFAULT '{}'"
    )
    op.execute(
        "DO $$ BEGIN ALTER TABLE task ADD CONSTRAINT ck_task_priority "
        "CHECK (priority BETWEEN 0 AND 3) NOT VALID; "
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
    )
    _create_tag_tables()
    for table in ("tag", "task_tag"):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"DROP POLICY IF EXISTS {table}_owner ON {table}")
        op.execute(
            f"CREATE POLICY {table}_owner ON {table} USING (user_id = {_CALLER}) "
            f"WITH CHECK (user_id = {_CALLER})"
        )
    for statement in _POSTGRES_COUNT_TRIGGERS:
        op.execute(statement)
    with op.get_context().autocommit_block():
        op.execute("ALTER TABLE task VALIDATE CONSTRAINT ck_task_priority")
        for name, definition in _POSTGRES_TASK_INDEXES.items():
            build_index_concurrently(name, f"ON task {definition}")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name in _POSTGRES_TASK_INDEXES if postgres else _TASK_INDEXES:
        op.drop_index(name, table_name="task", if_exists=True)
    if postgres:
        op.execute("DROP TRIGGER IF EXISTS task_tag_linked ON task_tag")
        op.execute("DROP TRIGGER IF EXISTS task_tag_unlinked ON task_tag")
        op.execute("DROP FUNCTION IF EXISTS tag_count_linked()")
        op.execute("DROP FUNCTION IF EXISTS tag_count_unlinked()")
    else:
        op.execute("DROP TRIGGER IF EXISTS task_unlink_tags")
    op.drop_table("task_tag")
    op.drop_table("tag")
    if postgres:
        op.execute("ALTER TABLE task DROP CONSTRAINT IF EXISTS ck_task_priority")
    for column in ("tags", "completed_at", "due_date", "priority"):
        op.drop_column("task", column)
