"""What only a migration can own: the one list of the schema's parts that app/models.py does not
describe, each with the reason.

tests/db/test_migration_owned.py migrates an empty database (SQLite, and PostgreSQL when the
suite runs there), compares it with app/models.py through alembic's compare_metadata and fails
on any difference that is not listed here. It also fails when the database holds a trigger, a
function or a row-level security policy that is not listed, or misses one that is, and when a
table with a user_id column lacks forced row-level security on PostgreSQL.

A new table adds its policy's name to the row-level security entry of OWNED below; a migration
that creates a trigger or function adds an `Owned(reason, dialects, triggers=..., functions=...)`.
An index belongs in app/models.py (with `only_on` where the databases differ), never here.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["triggers", "functions", "policies", "server_defaults"]
Dialect = Literal["postgresql", "sqlite"]
BOTH: tuple[Dialect, ...] = ("postgresql", "sqlite")
POSTGRES: tuple[Dialect, ...] = ("postgresql",)


@dataclass(frozen=True, slots=True)
class Owned:
    """Parts of the schema that one reason keeps in the migrations, on these databases."""

    reason: str
    dialects: tuple[Dialect, ...]
    triggers: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()
    server_defaults: tuple[str, ...] = ()  # "table.column"


OWNED: tuple[Owned, ...] = (
    Owned(
        "row-level security: the owner filter again, below the API (SQLAlchemy has no policies); "
        "every table with a user_id has one, named <table>_owner",
        POSTGRES,
        policies=(
            "task_owner",
            "tag_owner",
            "task_tag_owner",
            "idempotency_key_owner",
            "task_list_owner",
            "change_owner",
        ),
    ),
    Owned(
        "tag.task_count follows the links as they come and go, whoever writes (migration 0004)",
        BOTH,
        triggers=("task_tag_linked", "task_tag_unlinked"),
    ),
    Owned(
        "the functions of the tag-count triggers (SQLite's triggers hold their statements)",
        POSTGRES,
        functions=("tag_count_linked", "tag_count_unlinked"),
    ),
    Owned(
        "SQLite cascades a task's delete to its links", ("sqlite",), triggers=("task_unlink_tags",)
    ),
    Owned(
        "a link carries its task's completed, whoever writes (migration 0007)",
        BOTH,
        triggers=("task_tag_completed", "task_completed_links"),
    ),
    Owned(
        "the functions of those triggers, and of the search text the API folds (0008, 0009: it "
        "clears a text an older API version changed)",
        POSTGRES,
        triggers=("task_search_text",),
        functions=("task_tag_completed", "task_completed_links", "task_search_text"),
    ),
    Owned(
        "the API's pruning of the change feed reads and deletes rows older than a stream's "
        "replay promises, of every user, in a transaction that says so (migration 0011)",
        POSTGRES,
        policies=("change_expired",),
    ),
    Owned(
        "every write to a task or list records its change in the feed, whoever writes, in the "
        "writing transaction (migration 0011)",
        POSTGRES,
        triggers=("task_changed", "task_list_changed"),
        functions=("record_change",),
    ),
    Owned(
        "the same on SQLite, one trigger per table and operation",
        ("sqlite",),
        triggers=(
            "task_created",
            "task_updated",
            "task_deleted",
            "task_list_created",
            "task_list_updated",
            "task_list_deleted",
        ),
    ),
    Owned(
        "a top-level task's subtask counts follow its subtasks as they come, go, complete, "
        "re-open and move, whoever writes, in the writing transaction (migration 0012)",
        BOTH,
        triggers=("task_subtask_added", "task_subtask_removed", "task_subtask_changed"),
    ),
    Owned("the function of those triggers", POSTGRES, functions=("task_subtask_counts",)),
    Owned(
        "filled the rows older than migration 0004 ('[]' on SQLite, '{}' on PostgreSQL); every "
        "write names the tags, so the model declares none",
        BOTH,
        server_defaults=("task.tags",),
    ),
)


def owned(kind: Kind, dialect: str) -> set[str]:
    """The names of one kind that the migrations own on this database."""
    return {name for item in OWNED if dialect in item.dialects for name in getattr(item, kind)}


def include_object_on(dialect: str) -> Callable[..., bool]:
    """alembic's include_object hook (alembic/env.py and the test): a model index marked for one
    database (app.models.only_on) is compared on that database alone."""

    def include_object(
        item: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        if type_ != "index" or reflected:
            return True
        marked: str = item.info.get("dialect", dialect)
        return marked == dialect

    return include_object
