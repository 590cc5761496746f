"""Request dependencies: who is calling (from the bearer token alone) and the database."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPBearer

from app.core.security import TokenError, TokenVerifier
from app.db import Database


def _unauthorized(detail: str, *, token_sent: bool) -> HTTPException:
    # RFC 6750 3.1: no error code when the request carried no bearer token at all.
    challenge = 'Bearer error="invalid_token"' if token_sent else "Bearer"
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": challenge}
    )


class BearerToken(HTTPBearer):
    """Declares the bearer scheme in OpenAPI and turns the Authorization header into a user id.

    HTTPBearer's own parsing is replaced: several Authorization headers must be refused,
    not "first one wins", and every failure must be a 401 with a challenge.
    """

    async def __call__(self, request: Request) -> str:  # type: ignore[override]
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
