"""The caller's tasks. Another user's task answers exactly like a missing one: 404."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Response, status

from app import crud
from app.api.deps import CurrentUser, Db
from app.api.responses import RowsResponse
from app.models import TaskCounts, TaskCreate, TaskPublic, TaskUpdate

router = APIRouter(prefix="/tasks", tags=["tasks"])

# Ids are BIGINT: anything larger would be a database error, not a missing task.
TaskId = Annotated[int, Path(ge=1, le=2**63 - 1)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    status.HTTP_404_NOT_FOUND: {"description": "No such task for this user"}
}


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail="Task not found")


@router.get("", response_model=list[TaskPublic])
async def list_tasks(
    db: Db,
    user_id: CurrentUser,
    completed: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> Response:
    """The caller's tasks, newest first."""
    rows = await crud.list_tasks(db, user_id, completed=completed, limit=limit, offset=offset)
    return RowsResponse(rows)


@router.get("/counts")
async def count_tasks(db: Db, user_id: CurrentUser) -> TaskCounts:
    """How many tasks the caller has: all, active and completed."""
    return await crud.count_tasks(db, user_id)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TaskPublic)
async def create_task(db: Db, user_id: CurrentUser, data: TaskCreate) -> Response:
    return RowsResponse(await crud.create_task(db, user_id, data), status.HTTP_201_CREATED)


@router.get("/{task_id}", response_model=TaskPublic, responses=NOT_FOUND)
async def read_task(db: Db, user_id: CurrentUser, task_id: TaskId) -> Response:
    row = await crud.get_task(db, user_id, task_id)
    if row is None:
        raise _not_found()
    return RowsResponse(row)


@router.patch("/{task_id}", response_model=TaskPublic, responses=NOT_FOUND)
async def update_task(
    db: Db, user_id: CurrentUser, task_id: TaskId, changes: TaskUpdate
) -> Response:
    row = await crud.update_task(db, user_id, task_id, changes)
    if row is None:
        raise _not_found()
    return RowsResponse(row)


@router.delete("/{task_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_task(db: Db, user_id: CurrentUser, task_id: TaskId) -> Response:
    deleted = await crud.delete_task(db, user_id, task_id)
    if not deleted:
        raise _not_found()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
