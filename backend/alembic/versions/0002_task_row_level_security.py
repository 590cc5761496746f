"""Row-level security on task (PostgreSQL): a query that forgets its WHERE still cannot cross users.

The API sets `app.user_id` per transaction (set_config(..., true)) from the verified token;
the policy compares rows against it. FORCE makes the policy bind the table's owner too, so
it holds even where the API connects as the owning role (superusers still bypass it).
SQLite has no such feature and relies on the query filter alone.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CALLER = "current_setting('app.user_id', true)"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE task ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE task FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY task_owner ON task USING (user_id = {_CALLER}) "
        f"WITH CHECK (user_id = {_CALLER})"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP POLICY task_owner ON task")
    op.execute("ALTER TABLE task NO FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE task DISABLE ROW LEVEL SECURITY")
