"""Every statement and script in app.statements, compiled as PostgreSQL runs it, without a database.

On PostgreSQL a statement (or a short script of them) runs inside a function that returns the
last one's rows (app/db/postgres.py): one that returns none (an UPDATE without RETURNING, say)
cannot become one, though it runs fine on SQLite. And every statement must take the caller from
the `caller` parameter, which Database.run binds from the same user id it hands to row-level
security.
"""

import inspect
import re
from dataclasses import fields
from itertools import combinations, product
from typing import Literal, get_args, get_type_hints

from sqlalchemy import Executable

from app import statements
from app.db import CALLER
from app.db.postgres import _caller_statement
from app.models import TaskSort, TaskUpdate

Script = tuple[Executable, ...]
# The statements statements runs as they are (the others are steps of its scripts).
WHOLE = ("LIST_TASKS", "_GET", "_TAGS", "_KEYED_TASK")
# Pieces the statements are built from, never run as they are.
PARTS = {"_NEW_ROW"}
BUILDERS = {
    "_list_statement",
    "_counts_statement",
    "_complete_matching",
    "_delete_matching",
    "_update_row",
    "_update",
    "_update_tagged",
    "_writing",
    "_forget_user",
    "_new_row",
    "_create_keyed",
}


def _shapes() -> list[statements._Shape]:
    """Every combination of the list's filters."""
    assert len(fields(statements._Shape)) == 6, "a new filter: add it here"
    how_many: tuple[Literal[0, 1, 2], ...] = (0, 1, 2)
    return [
        statements._Shape(completed, words, priorities, tags, dated, undated)
        for completed, words, priorities, tags, dated, undated in product(
            (None, True, False), how_many, (False, True), how_many, (False, True), (False, True)
        )
    ]


def _field_sets() -> list[frozenset[str]]:
    names = list(TaskUpdate.model_fields)
    return [frozenset(c) for size in range(1, len(names) + 1) for c in combinations(names, size)]


def _scripts() -> dict[str, Script]:
    scripts: dict[str, Script] = {name: (getattr(statements, name),) for name in WHOLE}
    for name in ("_CREATE", "_DELETE", "_FOLD_AGAIN", "_CREATE_TAGGED", "_CREATE_KEYED"):
        scripts[name] = getattr(statements, name)
    scripts["_CREATE_KEYED_TAGGED"] = statements._CREATE_KEYED_TAGGED
    scripts["FORGET_USER"] = statements.FORGET_USER
    for shape in _shapes():
        scripts[f"_counts_statement({shape})"] = (statements._counts_statement(shape),)
        scripts[f"_complete_matching({shape})"] = statements._complete_matching(shape)
        scripts[f"_delete_matching({shape})"] = statements._delete_matching(shape)
        scripts[f"_list_statement({shape})"] = (statements._list_statement(shape, "created", True),)
    for sort, descending in product(get_args(TaskSort), (False, True)):
        statement = statements._list_statement(statements._Shape(tags=2, words=2), sort, descending)
        scripts[f"_list_statement({sort}, {descending})"] = (statement,)
    for changed in _field_sets():
        scripts[f"_update({sorted(changed)})"] = statements._update(changed)
        if "tags" in changed:
            scripts[f"_update_tagged({sorted(changed)})"] = statements._update_tagged(changed)
    return scripts


SCRIPTS = _scripts()


def _builds_statements(value: object) -> bool:
    """A function of app.statements's own that returns a statement or a script (its imports
    aside)."""
    function = inspect.unwrap(value) if callable(value) else None
    if not inspect.isfunction(function) or function.__module__ != statements.__name__:
        return False
    returned = get_type_hints(function).get("return")
    if getattr(returned, "__origin__", None) is tuple and get_args(returned)[1:] == (...,):
        returned = get_args(returned)[0]
    origin = getattr(returned, "__origin__", returned)
    return inspect.isclass(origin) and issubclass(origin, Executable)


def test_every_statement_builder_is_covered() -> None:
    builders = {name for name, value in vars(statements).items() if _builds_statements(value)}
    assert builders == BUILDERS, "a new statement builder: add its statements to _scripts()"


def test_every_module_statement_is_run_whole_or_in_a_script() -> None:
    steps = {id(step) for script in SCRIPTS.values() for step in script}
    module = {
        name
        for name, value in vars(statements).items()
        # Lower-case names are building blocks too.
        if isinstance(value, Executable) and name.isupper() and name not in PARTS
    }
    assert {name for name in module if id(getattr(statements, name)) not in steps} == set()


def test_every_script_returns_rows_on_postgresql() -> None:
    silent = {}
    for name, script in SCRIPTS.items():
        last = _caller_statement(script).steps[-1].sql
        if not (
            re.match(r"\s*(WITH\b.*)?SELECT\b", last, re.S) or re.search(r"\bRETURNING\b", last)
        ):
            silent[name] = last
    assert silent == {}


def test_every_step_is_filtered_by_the_caller() -> None:
    unfiltered = {
        name: step.sql
        for name, script in SCRIPTS.items()
        for step in _caller_statement(script).steps
        if CALLER not in step.names
    }
    assert unfiltered == {}
