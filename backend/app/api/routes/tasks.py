"""The caller's tasks. Another user's task answers exactly like a missing one: 404."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response, status

from app import crud
from app.api.deps import CurrentUser, Db
from app.api.errors import AUTHENTICATED, NOT_FOUND
from app.api.params import EXACT_INTEGER, TASK_ID_MAX, QueryBool
from app.api.responses import RowsResponse
from app.models import TaskCounts, TaskCreate, TaskPublic, TaskUpdate

router = APIRouter(prefix="/tasks", tags=["tasks"], responses=AUTHENTICATED)

# The `task_id` convertor (app/api/params.py) routes only ids written as plain decimals.
ONE_TASK = "/{task_id:task_id}"
TaskId = Annotated[int, Path(ge=1, le=TASK_ID_MAX, examples=[1])]


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail="Task not found")


@router.get("", response_model=list[TaskPublic])
async def list_tasks(
    db: Db,
    user_id: CurrentUser,
    completed: Annotated[QueryBool, Query(description="completed (true) or active (false)")] = None,
    limit: Annotated[int, Query(ge=1, le=100), EXACT_INTEGER] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1), EXACT_INTEGER] = 0,
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
    """A new task for the caller, not completed."""
    return RowsResponse(await crud.create_task(db, user_id, data), status.HTTP_201_CREATED)


@router.get(ONE_TASK, response_model=TaskPublic, responses=NOT_FOUND)
async def read_task(db: Db, user_id: CurrentUser, task_id: TaskId) -> Response:
    """One of the caller's tasks."""
    row = await crud.get_task(db, user_id, task_id)
    if row is None:
        raise _not_found()
    return RowsResponse(row)


@router.patch(ONE_TASK, response_model=TaskPublic, responses=NOT_FOUND)
async def update_task(
    db: Db, user_id: CurrentUser, task_id: TaskId, changes: TaskUpdate
) -> Response:
    """Change the fields given; the others keep their values."""
    row = await crud.update_task(db, user_id, task_id, changes)
    if row is None:
        raise _not_found()
    return RowsResponse(row)


@router.delete(ONE_TASK, status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_task(db: Db, user_id: CurrentUser, task_id: TaskId) -> Response:
    """Delete one of the caller's tasks for good."""
    deleted = await crud.delete_task(db, user_id, task_id)
    if not deleted:
        raise _not_found()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
