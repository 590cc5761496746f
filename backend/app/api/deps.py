"""Request dependencies: who is calling (from the bearer token alone) and the database."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.security.base import SecurityBase

from app.api.auth import BARE_CHALLENGE, USER_ID
from app.db import Database
from app.statements import Quotas


class BearerToken(SecurityBase):
    """Declares the bearer scheme in OpenAPI (FastAPI lists every SecurityBase dependency there)
    and gives the route the caller's user id, which RequireBearerToken (app/api/auth.py)
    established before routing."""

    def __init__(self, description: str) -> None:
        self.model = HTTPBearerModel(description=description)
        self.scheme_name = type(self).__name__

    async def __call__(self, request: Request) -> str:
        user_id: str | None = request.scope.get(USER_ID)
        if user_id is None:
            # A route on a public path cannot have a caller: refuse rather than guess.
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="not authenticated",
                headers={"WWW-Authenticate": BARE_CHALLENGE},
            )
        return user_id


# Reads the caller that the middleware verified; it checks no token itself.
verified_caller = BearerToken(description="HS256 JWT from /api/auth/token")
CurrentUser = Annotated[str, Depends(verified_caller)]


def database(request: Request) -> Database:
    """The app's database. As a plain call, for the busiest route: FastAPI's solving of a
    dependency costs more than the rest of this (bench/README.md)."""
    db: Database = request.app.state.db
    return db


async def get_database(request: Request) -> Database:
    # async, though it awaits nothing: FastAPI runs a plain `def` dependency in a thread.
    return database(request)


# Routes run each statement through `db.run(user_id, ...)`, a transaction of its own, rather
# than holding a session from a generator dependency: FastAPI's machinery for those (an exit
# stack and a shielded exit per request) cost more CPU than the statement itself. It also
# keeps the order plain: the statement has committed before the route returns, so a client
# never sees 201 for a write whose commit then fails.
Db = Annotated[Database, Depends(get_database)]


async def get_quotas(request: Request) -> Quotas:
    quotas: Quotas = request.app.state.quotas
    return quotas


Limits = Annotated[Quotas, Depends(get_quotas)]
