"""Request dependencies: who is calling (from the bearer token alone) and the database."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.security.base import SecurityBase

from app.core.security import TokenError, TokenVerifier
from app.db import Database


def _unauthorized(detail: str, *, token_sent: bool) -> HTTPException:
    # RFC 6750 3.1: no error code when the request carried no bearer token at all.
    challenge = 'Bearer error="invalid_token"' if token_sent else "Bearer"
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": challenge}
    )


class BearerToken(SecurityBase):
    """Declares the bearer scheme in OpenAPI (FastAPI lists every SecurityBase dependency there)
    and turns the Authorization header into a user id.

    Not an HTTPBearer, whose parsing lets the first of several Authorization headers win and
    answers credentials or None: here several headers are refused, and every failure is a 401
    with a challenge.
    """

    def __init__(self, description: str) -> None:
        self.model = HTTPBearerModel(description=description)
        self.scheme_name = type(self).__name__

    async def __call__(self, request: Request) -> str:
        headers = request.headers.getlist("authorization")
        if not headers:
            raise _unauthorized("not authenticated", token_sent=False)
        if len(headers) > 1:
            raise HTTPException(
                status.HTTP_400_BAD_REQUEST,
                detail="more than one Authorization header",
                headers={"WWW-Authenticate": 'Bearer error="invalid_request"'},
            )
        parts = headers[0].split()
        if len(parts) != 2 or parts[0].lower() != "bearer":
            raise _unauthorized("expected: Authorization: Bearer <token>", token_sent=False)
        verifier: TokenVerifier = request.app.state.verifier
        try:
            return verifier.verify(parts[1])
        except TokenError as error:
            raise _unauthorized(str(error), token_sent=True) from None


get_current_user = BearerToken(description="HS256 JWT from /api/auth/token")
CurrentUser = Annotated[str, Depends(get_current_user)]


async def get_database(request: Request) -> Database:
    # async, though it awaits nothing: FastAPI runs a plain `def` dependency in a thread.
    db: Database = request.app.state.db
    return db


# Routes run each statement through `db.run(user_id, ...)`, a transaction of its own, rather
# than holding a session from a generator dependency: FastAPI's machinery for those (an exit
# stack and a shielded exit per request) cost more CPU than the statement itself. It also
# keeps the order plain: the statement has committed before the route returns, so a client
# never sees 201 for a write whose commit then fails.
Db = Annotated[Database, Depends(get_database)]
