"""The caller as a whole: deleting everything they own, when their account goes."""

from fastapi import APIRouter, Response, status

from app import statements
from app.api.deps import CurrentUser, Db
from app.api.errors import AUTHENTICATED

router = APIRouter(prefix="/me", tags=["me"], responses=AUTHENTICATED)


@router.delete("", status_code=status.HTTP_204_NO_CONTENT)
async def delete_me(db: Db, user_id: CurrentUser) -> Response:
    """Deletes every task and tag of the caller, in one transaction; the same answer when
    there was nothing to delete. The account itself lives in the frontend (Better-Auth),
    which calls this before deleting it; a token issued before stays valid until it expires,
    and sees an empty list."""
    await statements.delete_user_data(db, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
