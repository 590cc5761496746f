"""The caller's tags."""

from fastapi import APIRouter, Response

from app import statements
from app.api.deps import CurrentUser, Db
from app.api.errors import AUTHENTICATED
from app.api.responses import RowsResponse
from app.models import TagCount

router = APIRouter(prefix="/tags", tags=["tags"], responses=AUTHENTICATED)


@router.get("", response_model=list[TagCount])
async def list_tags(db: Db, user_id: CurrentUser) -> Response:
    """The caller's tags by name, each with how many of the caller's tasks carry it (a tag
    no task carries any more is gone)."""
    return RowsResponse(await statements.list_tags(db, user_id))
