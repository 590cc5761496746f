"""Schema steps that migrations run while the API serves (PostgreSQL), shared by their scripts."""

import sqlalchemy as sa
from alembic import op


def build_index_concurrently(name: str, definition: str) -> None:
    """`CREATE INDEX CONCURRENTLY name definition` ("ON table (...)"), inside Alembic's
    autocommit block. A build that failed half-way leaves the index invalid, and IF NOT EXISTS
    would keep it so: a rerun drops it and builds it again."""
    invalid = op.get_bind().execute(
        sa.text(
            "SELECT 1 FROM pg_index JOIN pg_class ON pg_class.oid = pg_index.indexrelid "
            "WHERE pg_class.relname = :name AND NOT pg_index.indisvalid"
        ),
        {"name": name},
    )
    if invalid.first():
        op.execute(f"DROP INDEX CONCURRENTLY {name}")
    op.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} {definition}")
