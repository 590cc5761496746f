"""SQL that PostgreSQL and SQLite spell differently, as constructs that compile for either.

app/statements.py builds each statement once for both databases; these are the few places where the
two differ: a list of strings as a column (an array, or JSON text), list parameters (sent as
one JSON array), membership, and case-insensitive matching and ordering.
"""

from typing import Any, TypeVar

import orjson
from sqlalchemy import ARRAY, Dialect, String, Text, TypeDecorator
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Boolean, TypeEngine

# SQLite's lower() folds ASCII only: the API's SQLite connections get Python's str.lower under
# this name (app/db/sqlite.py), so that "É" matches "é" there as it does on PostgreSQL.
SQLITE_LOWER = "lower_unicode"
# And search's folding rule (app/core/folding.py) under this one.
SQLITE_FOLD = "app_fold"


class StringList(TypeDecorator[list[str]]):
    """A list of strings: an array on PostgreSQL, JSON text on SQLite.

    The PostgreSQL path hands lists to asyncpg and gets lists back as they are (it skips
    SQLAlchemy's value processing, see app/db/postgres.py); SQLite's goes through it."""

    impl = Text
    cache_ok = True

    def __init__(self, length: int) -> None:
        super().__init__()
        self.length = length

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(String(self.length)))
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: list[str] | None, dialect: Dialect) -> Any:
        if dialect.name == "postgresql" or value is None:
            return value
        return orjson.dumps(value).decode()

    def process_result_value(self, value: Any, dialect: Dialect) -> list[str]:
        names: list[str] = orjson.loads(value) if isinstance(value, str | bytes) else value
        return names


_T = TypeVar("_T")


class Spelled(FunctionElement[_T]):
    """A construct each database spells from its own template of the arguments ({0}, {1},
    ...), named as class keywords: `class f(Spelled[bool], postgresql="...", sqlite="...")`."""

    name: str

    def __init_subclass__(cls, **templates: str) -> None:
        super().__init_subclass__()
        cls.name = cls.__name__
        # SQLAlchemy reads it from each class's own namespace, not from its bases.
        cls.inherit_cache = True
        for dialect, template in templates.items():

            def spelled(
                function: FunctionElement[Any],
                compiler: SQLCompiler,
                template: str = template,
                **kw: Any,
            ) -> str:
                return template.format(*(compiler.process(arg, **kw) for arg in function.clauses))

            compiles(cls, dialect)(spelled)


class json_array_items(
    Spelled[Any], postgresql="json_array_elements_text(CAST({0} AS JSON))", sqlite="json_each({0})"
):
    """The elements of a JSON array parameter, as rows of text in a column named `value`
    (`json_array_items(param).table_valued("value")`)."""


class any_of(Spelled[bool], postgresql="({0} = ANY(ARRAY{1}))", sqlite="({0} IN {1})"):
    """`expr` equals one of the rows of a one-column `subquery` (uncorrelated).

    On PostgreSQL this is `= ANY(ARRAY(subquery))`: the subquery runs once, first, and its
    values become an index condition (`IN (subquery)` would be planned as a join instead).
    """

    type = Boolean()


class member_of(Spelled[bool], postgresql="(({0} IN {1}) IS TRUE)", sqlite="({0} IN {1})"):
    """`expr IN subquery` (uncorrelated), tested row by row against the subquery's rows.

    On PostgreSQL this is `(expr IN subquery) IS TRUE`: a hashed set, built once, that each of
    the caller's rows is checked against as an index walks them. A plain `IN` becomes a join,
    planned from estimates that cannot know how many rows the subquery gives (the tag filter's
    tag is only known at run time): the planner then fetches every match by primary key, a heap
    page each, to sort them, where the set lets the list stop at a page's worth and the counts
    read an index alone (migration 0006).
    """

    type = Boolean()


class candidate_of(Spelled[bool], postgresql="({0} = ANY(ARRAY{1}))", sqlite="1"):
    """`expr` is one of a one-column `subquery`'s rows on PostgreSQL (`= ANY(ARRAY(...))`, an
    index condition), where the subquery finds a superset of a filter's matches in an index;
    true on SQLite, which scans instead. The filter itself must still be applied."""

    type = Boolean()


class folded_match(
    Spelled[bool],
    postgresql="(CASE WHEN {0} IS NULL THEN {1} ILIKE {2} ELSE {0} LIKE {2} END)",
    sqlite=f"({SQLITE_FOLD}({{1}}) LIKE {{2}} ESCAPE '\\')",
):
    """`folded_match(search_text, text, pattern)`: the folded `text` matches a LIKE `pattern`
    (folded, escaping with a backslash). SQLite folds `text` on the spot with the API's own rule
    (app/core/folding.py); PostgreSQL compares the task's `search_text`, which the API folded
    with it when it wrote the task, and where that is null (a text too long to keep, or written
    by an older version of the API) falls back on its ILIKE over `text`."""

    type = Boolean()


# The first of the two keys of the users' advisory locks (the second is the user's hash): the
# two-key space does not overlap the one-key space the migrations' lock is in.
USER_LOCK_SPACE = 0x7461736B


class writing_as_user(
    Spelled[Any],
    postgresql=f"pg_advisory_xact_lock_shared({USER_LOCK_SPACE}, hashtext({{0}}))",
    sqlite="1",
):
    """Takes the user's write lock, shared, until the end of the transaction (PostgreSQL: an
    advisory lock; SQLite has one writer at a time already)."""


class deleting_user(
    Spelled[Any],
    postgresql=f"pg_advisory_xact_lock({USER_LOCK_SPACE}, hashtext({{0}}))",
    sqlite="1",
):
    """Takes the user's write lock alone, once every writer holding it has finished."""


class folded(Spelled[str], postgresql="lower({0})", sqlite=f"{SQLITE_LOWER}({{0}})"):
    """Lower-cased text, for case-insensitive ordering."""

    type = Text()


class pruning_changes(
    Spelled[Any], postgresql="pg_catalog.set_config('app.prune_changes', 'on', true)", sqlite="1"
):
    """Says, for the rest of the transaction, that it prunes the change feed: row-level
    security then lets it read and delete the expired rows of every user (migration 0011)."""


class hours_ago(
    Spelled[Any],
    postgresql="(now() - make_interval(hours => {0}))",
    sqlite="strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || {0} || ' hours')",
):
    """The time `hours` hours before now, comparable with a timestamp the triggers of
    migration 0011 wrote (SQLite's are text, in the format this spells)."""
