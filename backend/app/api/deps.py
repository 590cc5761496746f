"""Request dependencies: who is calling (from the bearer token alone) and the database."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPBearer

from app.api.auth import BARE_CHALLENGE, USER_ID
from app.db import Database


class BearerToken(HTTPBearer):
    """Declares the bearer scheme in OpenAPI and gives the route the caller's user id, which
    RequireBearerToken (app/api/auth.py) established before routing."""

    async def __call__(self, request: Request) -> str:  # type: ignore[override]
        user_id: str | None = request.scope.get(USER_ID)
        if user_id is None:
            # A route on a public path cannot have a caller: refuse rather than guess.
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="not authenticated",
                headers={"WWW-Authenticate": BARE_CHALLENGE},
            )
        return user_id


get_current_user = BearerToken(auto_error=False, description="HS256 JWT from /api/auth/token")
CurrentUser = Annotated[str, Depends(get_current_user)]


async def get_database(request: Request) -> Database:
    # async, though it awaits nothing: FastAPI runs a plain `def` dependency in a thread.
    return request.app.state.db


# Routes run each statement through `db.run(user_id, ...)`, a transaction of its own, rather
# than holding a session from a generator dependency: FastAPI's machinery for those (an exit
# stack and a shielded exit per request) cost more CPU than the statement itself. It also
# keeps the order plain: the statement has committed before the route returns, so a client
# never sees 201 for a write whose commit then fails.
Db = Annotated[Database, Depends(get_database)]
