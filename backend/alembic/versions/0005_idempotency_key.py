"""Idempotency keys of POST /tasks: one row per (user, key), written with the task it created.

A new table only, with its primary key index built in the same transaction (it is empty), so it
is safe to apply while the API serves. Row-level security as on the other tables (0002, 0004),
keyed on `app.user_id`. Idempotent, like 0004: a rerun finds the table and policy in place.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CALLER = "current_setting('app.user_id', true)"


def upgrade() -> None:
    op.create_table(
        "idempotency_key",
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("task_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "key", name="pk_idempotency_key"),
        if_not_exists=True,
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE idempotency_key ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE idempotency_key FORCE ROW LEVEL SECURITY")
    op.execute("DROP POLICY IF EXISTS idempotency_key_owner ON idempotency_key")
    op.execute(
        f"CREATE POLICY idempotency_key_owner ON idempotency_key USING (user_id = {_CALLER}) "
        f"WITH CHECK (user_id = {_CALLER})"
    )


def downgrade() -> None:
    op.drop_table("idempotency_key")
