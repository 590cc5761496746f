"""Every statement in app.crud, compiled as PostgreSQL runs it, without a database.

On PostgreSQL a statement runs inside a function that returns its rows (app/db/postgres.py):
one that returns none (an UPDATE without RETURNING, say) cannot become one, though it runs
fine on SQLite. And every statement must take the caller from the `caller` parameter, which
Database.run binds from the same user id it hands to row-level security.
"""

import inspect
import re
from itertools import combinations
from typing import get_type_hints

import pytest
from sqlalchemy import Executable

from app import crud
from app.db import CALLER
from app.db.postgres import _caller_statement
from app.models import TaskUpdate


def _module_statements() -> dict[str, Executable]:
    return {name: value for name, value in vars(crud).items() if isinstance(value, Executable)}


def _update_statements() -> dict[str, Executable]:
    """One UPDATE per set of changed fields a TaskUpdate can carry."""
    fields = list(TaskUpdate.model_fields)
    return {
        f"_update({', '.join(changed)})": crud._update(frozenset(changed))
        for size in range(1, len(fields) + 1)
        for changed in combinations(fields, size)
    }


STATEMENTS = {**_module_statements(), **_update_statements()}


def _builds_statements(value: object) -> bool:
    """A function of app.crud's own that returns a statement (its imports aside)."""
    function = inspect.unwrap(value) if callable(value) else None
    if not inspect.isfunction(function) or function.__module__ != crud.__name__:
        return False
    returned = get_type_hints(function).get("return")
    return inspect.isclass(returned) and issubclass(returned, Executable)


def test_every_statement_builder_is_covered() -> None:
    builders = {name for name, value in vars(crud).items() if _builds_statements(value)}
    assert builders == {"_update"}, "a new statement builder: add its statements to STATEMENTS"


def test_the_statements_were_found() -> None:
    assert {"LIST_TASKS", "_CREATE", "_DELETE"} <= set(STATEMENTS)
    assert len(_update_statements()) == 7


@pytest.mark.parametrize("name", STATEMENTS)
def test_statement_returns_rows_on_postgresql(name: str) -> None:
    sql = _caller_statement(STATEMENTS[name]).sql
    assert re.match(r"SELECT\b", sql) or re.search(r"\bRETURNING\b", sql), sql


@pytest.mark.parametrize("name", STATEMENTS)
def test_statement_is_filtered_by_the_caller(name: str) -> None:
    assert CALLER in _caller_statement(STATEMENTS[name]).names
