"""Alembic runs inside app.migrations, which hands it a locked connection."""

from alembic import context

from app.db.migration_owned import include_object_on
from app.models import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    # For `alembic revision --autogenerate`: indexes that one database alone has.
    include_object=include_object_on(connection.dialect.name),
)
with context.begin_transaction():
    context.run_migrations()
