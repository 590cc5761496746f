"""The caller's tasks. Another user's task answers exactly like a missing one: 404."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Request, Response, status
from fastapi.exceptions import RequestValidationError

from app import statements
from app.api.deps import CurrentUser, Db, Limits, database
from app.api.errors import AUTHENTICATED, NOT_FOUND, documented
from app.api.params import TASK_ID_MAX
from app.api.query import QueryModel
from app.api.responses import RowsResponse
from app.models import (
    BulkCompletion,
    BulkDeleted,
    BulkUpdated,
    ClearCompletedFilter,
    IdempotencyKeyHeader,
    TaskCounts,
    TaskCreate,
    TaskFilter,
    TaskListQuery,
    TaskMove,
    TaskPublic,
    TaskStateFilter,
    TaskUpdate,
    idempotency_key_value,
    present_or_absent,
)
from app.observability import metrics

router = APIRouter(prefix="/tasks", tags=["tasks"], responses=AUTHENTICATED)

# The `task_id` convertor (app/api/params.py) routes only ids written as plain decimals.
ONE_TASK = "/{task_id:task_id}"
TaskId = Annotated[int, Path(ge=1, le=TASK_ID_MAX, examples=[1])]
IdempotencyKey = Annotated[
    IdempotencyKeyHeader | None,
    Header(
        alias="Idempotency-Key",
        description="Makes the create safe to retry (IETF httpapi idempotency-key draft): "
        "within 24 hours, the same key with the same body gets the task the first request "
        "created (200), the same key with another body a 422. Keys are per user. A fresh "
        'one per new task, e.g. a quoted UUID: "8e5c0f3a-...".',
        examples=['"8e5c0f3a-6f0e-4d7c-9a51-2b1f6d1c9e42"'],
        json_schema_extra=present_or_absent,
    ),
]
_CREATE_RESPONSES: dict[int | str, dict[str, object]] = {
    status.HTTP_200_OK: {
        "model": TaskPublic,
        "description": "The task this Idempotency-Key created before (same key, same body, "
        "within 24 hours), as it is now: nothing new was created",
    },
    status.HTTP_404_NOT_FOUND: documented(
        "The task this Idempotency-Key created has been deleted since"
    ),
    status.HTTP_422_UNPROCESSABLE_CONTENT: {
        "description": "A body or Idempotency-Key that breaks the rules, or a key already "
        "used within 24 hours with another body",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}
        },
    },
}


# The routes' query models, read the quick way (app/api/query.py) and documented the same.
LIST_QUERY = QueryModel(TaskListQuery)
FILTERS = QueryModel(TaskFilter)
STATE_FILTERS = QueryModel(TaskStateFilter)
CLEAR_FILTERS = QueryModel(ClearCompletedFilter)


def _idempotency_key_error(kind: str, message: str) -> RequestValidationError:
    return RequestValidationError(
        [{"type": kind, "loc": ("header", "Idempotency-Key"), "msg": message}]
    )


def _over_quota(quotas: statements.Quotas) -> RequestValidationError:
    return RequestValidationError(
        [
            {
                "type": "quota_exceeded",
                "loc": ("body",),
                "msg": f"quota reached: at most {quotas.tasks} tasks and {quotas.tags} "
                "different tags per user (delete some first)",
            }
        ]
    )


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail="Task not found")


def _invalid(error: statements.TaskInvalid) -> RequestValidationError:
    return RequestValidationError(
        [{"type": "value_error", "loc": ("body", error.field), "msg": error.message}]
    )


@contextmanager
def _refusals(quotas: statements.Quotas) -> Iterator[None]:
    """A write's refusals as 422s: past the caller's quotas, or a task that cannot be."""
    try:
        yield
    except statements.QuotaExceeded:
        raise _over_quota(quotas) from None
    except statements.TaskInvalid as error:
        raise _invalid(error) from None


@router.get("", response_model=list[TaskPublic], openapi_extra=LIST_QUERY.openapi)
async def list_tasks(request: Request, user_id: CurrentUser) -> Response:
    """The caller's tasks that match every filter given, sorted (newest first unless asked
    otherwise), a page at a time."""
    # The request clients send most: its database and query are read here, not solved as
    # dependencies, which FastAPI does at more cost than their own work (bench/README.md).
    # The query parameters are documented all the same (openapi_extra).
    query = await LIST_QUERY(request)
    return RowsResponse(await statements.list_tasks(database(request), user_id, query))


@router.get("/counts", openapi_extra=FILTERS.openapi)
async def count_tasks(
    db: Db, user_id: CurrentUser, filters: Annotated[TaskFilter, Depends(FILTERS)]
) -> TaskCounts:
    """How many of the caller's tasks match the filters: all, active and completed."""
    return await statements.count_tasks(db, user_id, filters)


@router.patch("", openapi_extra=STATE_FILTERS.openapi)
async def complete_tasks(
    db: Db,
    user_id: CurrentUser,
    filters: Annotated[TaskStateFilter, Depends(STATE_FILTERS)],
    body: BulkCompletion,
) -> BulkUpdated:
    """Marks every top-level task matching the filters completed (or active), with their
    subtasks; `updated` counts the tasks whose state changed. A repeating task moves to its
    next occurrence and keeps a completed copy (see PATCH /tasks/{task_id})."""
    updated = await statements.complete_tasks(
        db, user_id, filters, body.completed, body.completed_on
    )
    return BulkUpdated(updated=updated)


@router.delete("", openapi_extra=CLEAR_FILTERS.openapi)
async def delete_completed_tasks(
    db: Db, user_id: CurrentUser, filters: Annotated[ClearCompletedFilter, Depends(CLEAR_FILTERS)]
) -> BulkDeleted:
    """Deletes every completed top-level task matching the filters, with its subtasks, in
    one transaction."""
    return BulkDeleted(deleted=await statements.delete_completed_tasks(db, user_id, filters))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=TaskPublic,
    responses=_CREATE_RESPONSES,
)
async def create_task(
    request: Request,
    db: Db,
    user_id: CurrentUser,
    quotas: Limits,
    data: TaskCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """A new task for the caller, not completed (201). With an Idempotency-Key already used
    for the same body within 24 hours: that first task, and nothing new (200)."""
    if len(request.headers.getlist("idempotency-key")) > 1:
        # FastAPI would take the last one; a proxy could take the first: one key or none.
        raise _idempotency_key_error("several_idempotency_keys", "send one Idempotency-Key header")
    key = None if idempotency_key is None else idempotency_key_value(idempotency_key)
    try:
        with _refusals(quotas):
            creation = await statements.create_task(db, user_id, data, quotas, key)
    except statements.IdempotencyKeyReused:
        raise _idempotency_key_error(
            "idempotency_key_reused", "this key was used within 24 hours for another request body"
        ) from None
    if not creation.created:
        metrics.idempotent_replay()
    if creation.task is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail="The task created with this key has been deleted"
        )
    return RowsResponse(
        creation.task, status.HTTP_201_CREATED if creation.created else status.HTTP_200_OK
    )


@router.get(ONE_TASK, response_model=TaskPublic, responses=NOT_FOUND)
async def read_task(db: Db, user_id: CurrentUser, task_id: TaskId) -> Response:
    """One of the caller's tasks."""
    row = await statements.get_task(db, user_id, task_id)
    if row is None:
        raise _not_found()
    return RowsResponse(row)


@router.patch(ONE_TASK, response_model=TaskPublic, responses=NOT_FOUND)
async def update_task(
    db: Db, user_id: CurrentUser, quotas: Limits, task_id: TaskId, changes: TaskUpdate
) -> Response:
    """Change the fields given; the others keep their values.

    Completing a task completes its open subtasks; re-opening a subtask re-opens its parent.
    Completing a repeating task, in one transaction, keeps a completed copy (`repeat_of` the
    task's id) and moves the task to its rule's next occurrence after the later of its due
    date and `completed_on` (or `completed_on` plus the interval, repeating from completion),
    re-opening its subtasks; when the rule is used up (COUNT, UNTIL) the task just completes.
    A new `list_id` puts the task last in that list, its subtasks with it. A new `parent_id`
    (a top-level task; the task itself must have no subtasks) makes it that task's last
    subtask, in its list, re-opening it if it is completed and this task is not; `parent_id`
    null makes a subtask a top-level task again, last in its list."""
    with _refusals(quotas):
        row = await statements.update_task(db, user_id, task_id, changes, quotas)
    if row is None:
        raise _not_found()
    return RowsResponse(row)


@router.post(ONE_TASK + "/move", response_model=TaskPublic, responses=NOT_FOUND)
async def move_task(db: Db, user_id: CurrentUser, task_id: TaskId, move: TaskMove) -> Response:
    """Moves the task in the manual order (sort=manual) of its list (or of its parent's
    subtasks): right after the task `after`, or first (null). No other task is renumbered
    but in the rare case of two neighbours too close for a key between them."""
    try:
        row = await statements.move_task(db, user_id, task_id, move.after)
    except statements.TaskInvalid as error:
        raise _invalid(error) from None
    if row is None:
        raise _not_found()
    return RowsResponse(row)


@router.delete(ONE_TASK, status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_task(db: Db, user_id: CurrentUser, task_id: TaskId) -> Response:
    """Delete one of the caller's tasks for good, its subtasks with it."""
    deleted = await statements.delete_task(db, user_id, task_id)
    if not deleted:
        raise _not_found()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
