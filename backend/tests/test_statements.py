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
from functools import cache
from itertools import combinations, product
from typing import Literal, get_args, get_type_hints
from unittest.mock import patch

from sqlalchemy import Executable

from app import statements
from app.db import CALLER, postgres
from app.db.postgres import _caller_statement, _CallerStatement
from app.models import TaskSort, TaskUpdate

Script = tuple[Executable, ...]
# The statements app.statements runs as they are (the others are steps of its scripts).
WHOLE = (
    "LIST_TASKS",
    "_GET",
    "_TAGS",
    "_KEYED_TASK",
    "_STATE",
    "_IS_OWN_LIST",
    "_HAS_SUBTASKS",
    "_TASKS_BY_ID",
)
# Pieces the statements are built from, never run as they are.
PARTS = {"_OWN_LIST", "_PARENT_LIST"}
BUILDERS = {
    "_list_statement",
    "_counts_statement",
    "_creation",
    "_forget_user",
    "_delete_matching",
    "_update_script",
    "_complete_matching",
    "_update_row",
    "_repeating_matching",
    "_neighbour",
    "_renumber",
    "_writing",
}


def _shapes() -> list[statements._Shape]:
    """Every combination of the list's filters, and of where the tasks are with none of them."""
    assert len(fields(statements._Shape)) == 8, "a new filter: add it here"
    how_many: tuple[Literal[0, 1, 2], ...] = (0, 1, 2)
    levels: tuple[Literal["top", "any", "subtasks"], ...] = ("top", "any", "subtasks")
    listed: tuple[Literal[None, "inbox", "list"], ...] = (None, "inbox", "list")
    return [
        statements._Shape(completed, words, priorities, tags, dated, undated)
        for completed, words, priorities, tags, dated, undated in product(
            (None, True, False), how_many, (False, True), how_many, (False, True), (False, True)
        )
    ] + [statements._Shape(level=level, listed=where) for level, where in product(levels, listed)]


def _field_sets() -> list[frozenset[str]]:
    names = [name for name in TaskUpdate.model_fields if name != "completed_on"]
    return [frozenset(c) for size in range(1, len(names) + 1) for c in combinations(names, size)]


def _scripts() -> dict[str, Script]:
    scripts: dict[str, Script] = {name: (getattr(statements, name),) for name in WHOLE}
    for name in (
        "_DELETE",
        "_FOLD_AGAIN",
        "FORGET_USER",
        "_NEXT_OCCURRENCE",
        "_FINISH_REPEATING",
        "_SET_POSITION",
    ):
        scripts[name] = getattr(statements, name)
    for placement, tagged, keyed in product(
        get_args(statements.Placement), (False, True), (False, True)
    ):
        scripts[f"_creation({placement}, {tagged}, {keyed})"] = statements._creation(
            placement, tagged, keyed
        )
    for scope in get_args(statements.Scope):
        scripts[f"_renumber({scope})"] = (statements._renumber(scope),)
        for first in (False, True):
            scripts[f"_neighbour({scope}, {first})"] = (statements._neighbour(scope, first),)
    for shape in _shapes():
        scripts[f"_counts_statement({shape})"] = (statements._counts_statement(shape),)
        for completing in (False, True):
            scripts[f"_complete_matching({shape}, {completing})"] = statements._complete_matching(
                shape, completing
            )
        scripts[f"_delete_matching({shape})"] = statements._delete_matching(shape)
        scripts[f"_list_statement({shape})"] = (statements._list_statement(shape, "created", True),)
        scripts[f"_repeating_matching({shape})"] = (statements._repeating_matching(shape),)
    for sort, descending in product(get_args(TaskSort), (False, True)):
        statement = statements._list_statement(statements._Shape(tags=2, words=2), sort, descending)
        scripts[f"_list_statement({sort}, {descending})"] = (statement,)
    for changed in _field_sets():
        states: tuple[bool | None, ...] = (True, False) if "completed" in changed else (None,)
        for state in states:
            script = statements._update_script(changed, state, "tags" in changed)
            scripts[f"_update_script({sorted(changed)}, {state})"] = script
    return scripts


SCRIPTS = _scripts()


@cache
def _compiled() -> dict[str, _CallerStatement]:
    """Every script compiled as PostgreSQL runs it, once for the tests below: the app keeps
    only its most recent 256, and there are thousands. The scripts share their steps (some
    22,000 steps, under 5,000 statements): each statement is compiled once for all of them,
    which `_step` allows (its result is the statement's alone), instead of costing this
    suite some 20 s of CPU."""
    with patch.object(postgres, "_step", cache(postgres._step)):
        return {name: _caller_statement(script) for name, script in SCRIPTS.items()}


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
    for name, compiled in _compiled().items():
        last = compiled.steps[-1].sql
        if not (
            re.match(r"\s*(WITH\b.*)?SELECT\b", last, re.S) or re.search(r"\bRETURNING\b", last)
        ):
            silent[name] = last
    assert silent == {}


def test_every_step_is_filtered_by_the_caller() -> None:
    unfiltered = {
        name: step.sql
        for name, compiled in _compiled().items()
        for step in compiled.steps
        if CALLER not in step.names
    }
    assert unfiltered == {}
