"""app/models.py describes the schema the migrations build, on the database the suite runs on:
every difference is a failure unless app/db/migration_owned.py lists it with its reason."""

import warnings
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Identity, create_engine, text

from app.db.migration_owned import include_object_on, owned
from app.db.urls import database_url
from app.migrations import migrate
from app.models import metadata
from tests.conftest import fresh_database


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Connection]:
    with fresh_database(tmp_path_factory.mktemp("schema") / "app.sqlite") as url:
        migrate(url)
        engine = create_engine(database_url(url, asynchronous=False))
        try:
            with engine.connect() as connection:
                yield connection
        finally:
            engine.dispose()


def _listed_or_unreflectable(diff: Any, dialect: str) -> bool:
    """A server default the migrations own, or SQLite's identity columns, which reflection
    cannot see (the model's Identity() is AUTOINCREMENT there)."""
    if not isinstance(diff, list) or diff[0][0] != "modify_default":
        return False
    _, _, table, column, _, _, model_default = diff[0]
    if dialect == "sqlite" and isinstance(model_default, Identity):
        return True
    return f"{table}.{column}" in owned("server_defaults", dialect)


def schema_differences(connection: Connection) -> list[Any]:
    dialect = connection.dialect.name
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "compare_server_default": True,
            "include_object": include_object_on(dialect),
        },
    )
    with warnings.catch_warnings():
        # SQLite cannot reflect expression indexes: alembic says so before the hook skips
        # PostgreSQL's one.
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
        differences = compare_metadata(context, metadata)
    return [diff for diff in differences if not _listed_or_unreflectable(diff, dialect)]


def test_models_describe_the_migrated_schema(migrated: Connection) -> None:
    assert schema_differences(migrated) == []


def test_an_index_left_out_of_the_models_is_a_difference(migrated: Connection) -> None:
    indexes = metadata.tables["task"].indexes
    index = next(index for index in indexes if index.name == "ix_task_user_id_due_date_id")
    indexes.remove(index)
    try:
        assert [diff[0] for diff in schema_differences(migrated)] == ["remove_index"]
    finally:
        indexes.add(index)


def _names(connection: Connection, query: str) -> set[str]:
    return set(connection.execute(text(query)).scalars())


def test_triggers_functions_and_policies_are_listed(migrated: Connection) -> None:
    dialect = migrated.dialect.name
    if dialect == "sqlite":
        triggers = _names(migrated, "SELECT name FROM sqlite_master WHERE type = 'trigger'")
        assert triggers == owned("triggers", dialect)
        return
    public = "(SELECT oid FROM pg_namespace WHERE nspname = 'public')"
    triggers = _names(
        migrated,
        "SELECT tgname FROM pg_trigger JOIN pg_class ON pg_class.oid = tgrelid "
        f"WHERE NOT tgisinternal AND relnamespace = {public}",
    )
    functions = _names(migrated, f"SELECT proname FROM pg_proc WHERE pronamespace = {public}")
    policies = _names(migrated, "SELECT policyname FROM pg_policies WHERE schemaname = 'public'")
    assert triggers == owned("triggers", dialect)
    assert functions == owned("functions", dialect)
    assert policies == owned("policies", dialect)


def test_every_table_with_a_user_has_forced_row_level_security(migrated: Connection) -> None:
    if migrated.dialect.name != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    with_user = {name for name, table in metadata.tables.items() if "user_id" in table.c}
    secured = _names(
        migrated,
        "SELECT relname FROM pg_class WHERE relkind = 'r' AND relrowsecurity "
        "AND relforcerowsecurity AND relnamespace = 'public'::regnamespace",
    )
    assert with_user <= secured


def test_index_definitions_match_to_the_letter(migrated: Connection) -> None:
    """alembic compares an index's columns, not its INCLUDE or WHERE: PostgreSQL's own
    rendering of each index, built from the models in a scratch schema, against the migrated
    one's."""
    if migrated.dialect.name != "postgresql":
        pytest.skip("SQLite's indexes have no INCLUDE or WHERE here; alembic compares the rest")
    scratch = f"models_{uuid4().hex[:12]}"
    query = "SELECT indexname, replace(indexdef, :schema || '.', '') FROM pg_indexes "
    query += "WHERE schemaname = :schema"
    try:  # in a transaction rolled back: PostgreSQL's DDL is transactional
        migrated.execute(text(f'CREATE SCHEMA "{scratch}"'))
        metadata.create_all(migrated.execution_options(schema_translate_map={None: scratch}))
        built: dict[str, str] = dict(migrated.execute(text(query), {"schema": scratch}).all())
        migrations: dict[str, str] = dict(migrated.execute(text(query), {"schema": "public"}).all())
    finally:
        migrated.rollback()
    migrations.pop("pk_alembic_version", None)
    migrations.pop("alembic_version_pkc", None)
    assert migrations == built
