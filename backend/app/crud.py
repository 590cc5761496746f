"""The task queries. Every statement is filtered by the caller's user id."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, bindparam, case, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.models import TaskCounts, TaskCreate, TaskUpdate, task

_PUBLIC = (
    task.c.id,
    task.c.title,
    task.c.description,
    task.c.completed,
    task.c.created_at,
    task.c.updated_at,
)
_OWNED = task.c.user_id == bindparam("user_id")
_NEWEST_FIRST = (task.c.created_at.desc(), task.c.id.desc())

# Built once: SQLAlchemy then finds the compiled SQL in its cache on every request.
_LIST = (
    select(*_PUBLIC)
    .where(_OWNED)
    .order_by(*_NEWEST_FIRST)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
_LIST_BY_STATE = _LIST.where(task.c.completed == bindparam("completed"))
_COUNTS = select(
    func.count(),
    func.coalesce(func.sum(case((task.c.completed, 1), else_=0)), 0),
).where(_OWNED)
_GET = select(*_PUBLIC).where(_OWNED, task.c.id == bindparam("task_id"))


async def list_tasks(
    conn: AsyncConnection, user_id: str, *, completed: bool | None, limit: int, offset: int
) -> list[Row[Any]]:
    params: dict[str, Any] = {"user_id": user_id, "limit": limit, "offset": offset}
    if completed is None:
        result = await conn.execute(_LIST, params)
    else:
        result = await conn.execute(_LIST_BY_STATE, {**params, "completed": completed})
    return list(result.all())


async def count_tasks(conn: AsyncConnection, user_id: str) -> TaskCounts:
    total, done = (await conn.execute(_COUNTS, {"user_id": user_id})).one()
    return TaskCounts(all=total, active=total - done, completed=done)


async def get_task(conn: AsyncConnection, user_id: str, task_id: int) -> Row[Any] | None:
    result = await conn.execute(_GET, {"user_id": user_id, "task_id": task_id})
    return result.one_or_none()


async def create_task(conn: AsyncConnection, user_id: str, data: TaskCreate) -> Row[Any]:
    now = datetime.now(UTC)
    statement = (
        insert(task)
        .values(
            user_id=user_id,
            title=data.title,
            description=data.description,
            completed=False,
            created_at=now,
            updated_at=now,
        )
        .returning(*_PUBLIC)
    )
    return (await conn.execute(statement)).one()


async def update_task(
    conn: AsyncConnection, user_id: str, task_id: int, changes: TaskUpdate
) -> Row[Any] | None:
    statement = (
        update(task)
        .where(task.c.user_id == user_id, task.c.id == task_id)
        .values(**changes.model_dump(exclude_unset=True), updated_at=datetime.now(UTC))
        .returning(*_PUBLIC)
    )
    return (await conn.execute(statement)).one_or_none()


async def delete_task(conn: AsyncConnection, user_id: str, task_id: int) -> bool:
    statement = (
        delete(task).where(task.c.user_id == user_id, task.c.id == task_id).returning(task.c.id)
    )
    return (await conn.execute(statement)).one_or_none() is not None
