"""The list statements (GET/POST/PATCH/DELETE /lists), each filtered by the caller's user id
as every statement is (app/statements.py)."""

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Executable,
    Integer,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)

from app.db import UNIQUE_VIOLATION, Database, Row
from app.models import LISTS_PER_USER, ListCreate, ListUpdate, task, task_list
from app.statements import CALLER_PARAM as _CALLER
from app.statements import ids_param, one_of_ids

_OWNED = task_list.c.user_id == _CALLER
_LIST_ID = bindparam("the_list", type_=task_list.c.id.type)
_THIS_LIST = task_list.c.id == _LIST_ID

# A list's open top-level tasks, counted in the statement that reads the list (through the
# (user_id, list_id, ...) index).
_OPEN_COUNT = (
    select(func.count())
    .where(
        task.c.user_id == _CALLER,
        task.c.list_id == task_list.c.id,
        task.c.parent_id.is_(None),
        task.c.completed.is_(False),
    )
    .correlate(task_list)
    .scalar_subquery()
    .label("open_count")
)


def _public(open_count: Any) -> tuple[Any, ...]:
    return (
        task_list.c.id,
        task_list.c.name,
        task_list.c.color,
        task_list.c.position,
        open_count,
        task_list.c.created_at,
    )


_PUBLIC = _public(_OPEN_COUNT)
_LISTS = select(*_PUBLIC).where(_OWNED).order_by(task_list.c.position, task_list.c.id)

_owned_lists = task_list.alias("owned")
# A new list goes last, and only while the caller has fewer than the most lists allowed.
_CREATE = (
    insert(task_list)
    .from_select(
        ["user_id", "name", "folded_name", "color", "position", "created_at"],
        select(
            _CALLER,
            bindparam("new_name", type_=task_list.c.name.type),
            bindparam("new_folded_name", type_=task_list.c.folded_name.type),
            bindparam("new_color", type_=task_list.c.color.type),
            func.coalesce(func.max(_owned_lists.c.position), 0) + 1,
            bindparam("now", type_=task_list.c.created_at.type),
        )
        .where(_owned_lists.c.user_id == _CALLER)
        .having(func.count() < LISTS_PER_USER),
    )
    .returning(*_public(literal(0, Integer).label("open_count")))
)


@cache
def _update(fields: frozenset[str]) -> tuple[Executable, ...]:
    """The change, then the list read as GET /lists reads it: SQLite's RETURNING gives a
    value as it was sent (an integer position in a REAL column stays an integer)."""
    changes = {name: bindparam(f"new_{name}", type_=task_list.c[name].type) for name in fields}
    updated = bindparam("updated_list", type_=task_list.c.id.type)
    return (
        update(task_list)
        .where(_OWNED, _THIS_LIST)
        .values(**changes)
        .returning(task_list.c.id.label("updated_list")),
        select(*_PUBLIC).where(_OWNED, task_list.c.id == updated),
    )


def _deletion(delete_tasks: bool) -> tuple[Executable, ...]:
    """The list goes first (its row lock makes a concurrent creation of a task in it wait,
    then find no list); then its tasks, subtasks included, move to the Inbox or go too."""
    deleted = bindparam("deleted_list", type_=task.c.list_id.type)
    in_list = (task.c.user_id == _CALLER, task.c.list_id == deleted)
    tasks = (
        delete(task).where(*in_list)
        if delete_tasks
        else update(task).where(*in_list).values(list_id=None)
    )
    return (
        delete(task_list).where(_OWNED, _THIS_LIST).returning(task_list.c.id.label("deleted_list")),
        tasks,
        select(cast(deleted, Integer).label("deleted")),
    )


_DELETE_MOVING = _deletion(delete_tasks=False)
_DELETE_WITH_TASKS = _deletion(delete_tasks=True)


class ListNameTaken(Exception):
    """Another list of the caller's has this name (ignoring case)."""


class TooManyLists(Exception):
    """The caller has the most lists allowed."""


def fold(name: str) -> str:
    """The name as compared: two names that fold alike are the same list's."""
    return name.casefold()


async def list_lists(db: Database, user_id: str) -> list[Row]:
    return await db.run(user_id, _LISTS)


# The lists of these ids (the change feed's rows: app/changes.py).
_LISTS_BY_ID = select(*_PUBLIC).where(_OWNED, one_of_ids(task_list.c.id))


async def get_lists(db: Database, user_id: str, ids: Iterable[int]) -> list[Row]:
    return await db.run(user_id, _LISTS_BY_ID, ids_param(ids))


async def create_list(db: Database, user_id: str, data: ListCreate) -> Row:
    params = {
        "new_name": data.name,
        "new_folded_name": fold(data.name),
        "new_color": data.color,
        "now": datetime.now(UTC),
    }
    try:
        rows = await db.run(user_id, _CREATE, params)
    except UNIQUE_VIOLATION:
        raise ListNameTaken from None
    if not rows:
        raise TooManyLists
    return rows[0]


async def update_list(db: Database, user_id: str, list_id: int, changes: ListUpdate) -> Row | None:
    values = changes.model_dump(exclude_unset=True)
    if "name" in values:
        values["folded_name"] = fold(values["name"])
    params = {f"new_{name}": value for name, value in values.items()}
    try:
        rows = await db.run_script(
            user_id,
            _update(frozenset(values)),
            {**params, "the_list": list_id, "updated_list": None},
        )
    except UNIQUE_VIOLATION:
        raise ListNameTaken from None
    return rows[0] if rows else None


async def delete_list(db: Database, user_id: str, list_id: int, delete_tasks: bool) -> bool:
    script = _DELETE_WITH_TASKS if delete_tasks else _DELETE_MOVING
    rows = await db.run_script(user_id, script, {"the_list": list_id, "deleted_list": None})
    return rows[0]["deleted"] is not None
