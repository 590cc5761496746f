"""What only a migration can own: the one list of the schema's parts that app/models.py does not
describe, each with the reason.

tests/db/test_migration_owned.py migrates an empty database (SQLite, and PostgreSQL when the
suite runs there), compares it with app/models.py through alembic's compare_metadata and fails
on any difference that is not listed here. It also fails when the database holds a trigger, a
function or a row-level security policy that is not listed, or misses one that is, and when a
table with a user_id column lacks forced row-level security on PostgreSQL.

A new table or migration that creates any of these adds one `Owned(...)` line to OWNED below.
An index belongs in app/models.py (with `only_on` where the databases differ), never here.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["trigger", "function", "policy", "server_default"]
Dialect = Literal["postgresql", "sqlite"]
BOTH: tuple[Dialect, ...] = ("postgresql", "sqlite")
POSTGRES: tuple[Dialect, ...] = ("postgresql",)

_RLS = "row-level security: the owner filter again, below the API (SQLAlchemy has no policies)"
_TAG_COUNTS = "keeps tag.task_count as links come and go (SQLAlchemy has no triggers)"
_LINK_COMPLETED = "copies the task's completed onto its links, whoever writes (migration 0007)"
_SEARCH = "folds title and description into search_text at write time (migration 0008)"


@dataclass(frozen=True, slots=True)
class Owned:
    kind: Kind
    name: str  # a trigger, function or policy by its own name; a default as "table.column"
    dialects: tuple[Dialect, ...]
    reason: str


OWNED: tuple[Owned, ...] = (
    Owned("policy", "task_owner", POSTGRES, _RLS),
    Owned("policy", "tag_owner", POSTGRES, _RLS),
    Owned("policy", "task_tag_owner", POSTGRES, _RLS),
    Owned("policy", "idempotency_key_owner", POSTGRES, _RLS),
    Owned("trigger", "task_tag_linked", BOTH, _TAG_COUNTS),
    Owned("trigger", "task_tag_unlinked", BOTH, _TAG_COUNTS),
    Owned("function", "tag_count_linked", POSTGRES, _TAG_COUNTS),
    Owned("function", "tag_count_unlinked", POSTGRES, _TAG_COUNTS),
    Owned("trigger", "task_unlink_tags", ("sqlite",), "SQLite's cascade of a task to its links"),
    Owned("trigger", "task_tag_completed", BOTH, _LINK_COMPLETED),
    Owned("trigger", "task_completed_links", BOTH, _LINK_COMPLETED),
    Owned("function", "task_tag_completed", POSTGRES, _LINK_COMPLETED),
    Owned("function", "task_completed_links", POSTGRES, _LINK_COMPLETED),
    Owned("trigger", "task_search_text", POSTGRES, _SEARCH),
    Owned("function", "task_search_text", POSTGRES, _SEARCH),
    Owned("function", "task_folded_text", POSTGRES, _SEARCH),
    Owned(
        "server_default",
        "task.tags",
        BOTH,
        "filled the rows older than migration 0004 ('[]' on SQLite, '{}' on PostgreSQL); every "
        "write names the tags, so the model declares none",
    ),
)


def owned(kind: Kind, dialect: str) -> set[str]:
    return {item.name for item in OWNED if item.kind == kind and dialect in item.dialects}


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
