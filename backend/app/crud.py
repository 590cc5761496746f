"""The task queries. Every statement is filtered by the caller's user id.

Statements are built once, with bound parameters: each database then reuses its compiled
(and on PostgreSQL, prepared) form on every request.
"""

from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Update, bindparam, case, delete, func, insert, select, update

from app.db import CALLER, Database, Row
from app.models import TaskCounts, TaskCreate, TaskUpdate, task

_PUBLIC = (
    task.c.id,
    task.c.title,
    task.c.description,
    task.c.completed,
    task.c.created_at,
    task.c.updated_at,
)
_OWNED = task.c.user_id == bindparam(CALLER)
_THIS_TASK = task.c.id == bindparam("task_id")
_NEWEST_FIRST = (task.c.created_at.desc(), task.c.id.desc())

LIST_TASKS = (
    select(*_PUBLIC)
    .where(_OWNED)
    .order_by(*_NEWEST_FIRST)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
_LIST_BY_STATE = LIST_TASKS.where(task.c.completed == bindparam("completed"))
_COUNTS = select(
    func.count().label("total"),
    func.coalesce(func.sum(case((task.c.completed, 1), else_=0)), 0).label("done"),
).where(_OWNED)
_GET = select(*_PUBLIC).where(_OWNED, _THIS_TASK)
# Bound names differ from column names, which SQLAlchemy keeps for itself in INSERT and UPDATE.
_CREATE = (
    insert(task)
    .values(
        user_id=bindparam(CALLER),
        title=bindparam("new_title"),
        description=bindparam("new_description"),
        completed=False,
        created_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
    .returning(*_PUBLIC)
)
_DELETE = delete(task).where(_OWNED, _THIS_TASK).returning(task.c.id)


@cache
def _update(fields: frozenset[str]) -> Update:
    """The UPDATE for one set of changed fields (at most 7 sets exist: built once each)."""
    changes = {name: bindparam(f"new_{name}", type_=task.c[name].type) for name in fields}
    return (
        update(task)
        .where(_OWNED, _THIS_TASK)
        .values(**changes, updated_at=bindparam("now"))
        .returning(*_PUBLIC)
    )


async def _one(db: Database, user_id: str, statement: Any, params: dict[str, Any]) -> Row | None:
    rows = await db.run(user_id, statement, params)
    return rows[0] if rows else None


async def list_tasks(
    db: Database, user_id: str, *, completed: bool | None, limit: int, offset: int
) -> list[Row]:
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    if completed is None:
        return await db.run(user_id, LIST_TASKS, params)
    return await db.run(user_id, _LIST_BY_STATE, {**params, "completed": completed})


async def count_tasks(db: Database, user_id: str) -> TaskCounts:
    (row,) = await db.run(user_id, _COUNTS)
    total, done = row["total"], row["done"]
    return TaskCounts(all=total, active=total - done, completed=done)


async def get_task(db: Database, user_id: str, task_id: int) -> Row | None:
    return await _one(db, user_id, _GET, {"task_id": task_id})


async def create_task(db: Database, user_id: str, data: TaskCreate) -> Row:
    params = {
        "new_title": data.title,
        "new_description": data.description,
        "now": datetime.now(UTC),
    }
    (row,) = await db.run(user_id, _CREATE, params)
    return row


async def update_task(db: Database, user_id: str, task_id: int, changes: TaskUpdate) -> Row | None:
    values = changes.model_dump(exclude_unset=True)
    params = {f"new_{name}": value for name, value in values.items()}
    statement = _update(frozenset(values))
    return await _one(
        db,
        user_id,
        statement,
        {**params, "task_id": task_id, "now": datetime.now(UTC)},
    )


async def delete_task(db: Database, user_id: str, task_id: int) -> bool:
    return await _one(db, user_id, _DELETE, {"task_id": task_id}) is not None
