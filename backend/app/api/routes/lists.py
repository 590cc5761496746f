"""The caller's lists. Another user's list answers exactly like a missing one: 404."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Response, status
from fastapi.exceptions import RequestValidationError

from app import list_statements
from app.api.deps import CurrentUser, Db
from app.api.errors import AUTHENTICATED, documented
from app.api.params import TASK_ID_MAX
from app.api.query import QueryModel
from app.api.responses import RowsResponse
from app.models import LISTS_PER_USER, ListCreate, ListDeletion, ListPublic, ListUpdate

router = APIRouter(prefix="/lists", tags=["lists"], responses=AUTHENTICATED)

# Ids read as exactly as task ids (app/api/params.py).
ONE_LIST = "/{list_id:task_id}"
ListId = Annotated[int, Path(ge=1, le=TASK_ID_MAX, examples=[1])]
DELETION = QueryModel(ListDeletion)

_NOT_FOUND: dict[int | str, dict[str, object]] = {
    status.HTTP_404_NOT_FOUND: documented(
        "No such list for this user (another user's list included), or an id that is not "
        "a positive integer in plain decimal"
    ),
}
_NAME_TAKEN: dict[int | str, dict[str, object]] = {
    status.HTTP_409_CONFLICT: documented(
        "Another of the caller's lists has this name (ignoring case)"
    )
}


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail="List not found")


def _name_taken() -> HTTPException:
    return HTTPException(
        status.HTTP_409_CONFLICT, detail="You already have a list with this name (ignoring case)"
    )


@router.get("", response_model=list[ListPublic])
async def list_lists(db: Db, user_id: CurrentUser) -> Response:
    """The caller's lists in their order, each with its count of open top-level tasks. The
    Inbox (tasks with list_id null) is not one of them."""
    return RowsResponse(await list_statements.list_lists(db, user_id))


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=ListPublic, responses=_NAME_TAKEN
)
async def create_list(db: Db, user_id: CurrentUser, data: ListCreate) -> Response:
    """A new list, last in the order (201). At most 200 lists per user (422)."""
    try:
        row = await list_statements.create_list(db, user_id, data)
    except list_statements.ListNameTaken:
        raise _name_taken() from None
    except list_statements.TooManyLists:
        raise RequestValidationError(
            [
                {
                    "type": "too_many_lists",
                    "loc": ("body",),
                    "msg": f"at most {LISTS_PER_USER} lists per user: delete one first",
                }
            ]
        ) from None
    return RowsResponse(row, status.HTTP_201_CREATED)


@router.patch(ONE_LIST, response_model=ListPublic, responses={**_NOT_FOUND, **_NAME_TAKEN})
async def update_list(
    db: Db, user_id: CurrentUser, list_id: ListId, changes: ListUpdate
) -> Response:
    """Rename, recolour or reorder a list; the other fields keep their values."""
    try:
        row = await list_statements.update_list(db, user_id, list_id, changes)
    except list_statements.ListNameTaken:
        raise _name_taken() from None
    if row is None:
        raise _not_found()
    return RowsResponse(row)


@router.delete(
    ONE_LIST,
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_NOT_FOUND,
    openapi_extra=DELETION.openapi,
)
async def delete_list(
    db: Db,
    user_id: CurrentUser,
    list_id: ListId,
    deletion: Annotated[ListDeletion, Depends(DELETION)],
) -> Response:
    """Delete a list, in one transaction with its tasks: they move to the Inbox, or with
    `tasks=delete` they are deleted too (their subtasks with them)."""
    deleted = await list_statements.delete_list(
        db, user_id, list_id, delete_tasks=deletion.tasks == "delete"
    )
    if not deleted:
        raise _not_found()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
