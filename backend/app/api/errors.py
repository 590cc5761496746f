"""Error responses: short JSON for the client, never a traceback; and their OpenAPI entries."""

import json
import logging
from collections.abc import Sequence
from typing import Any

import asyncpg
from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match
from starlette.types import HTTPExceptionHandler

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 2


class ErrorMessage(BaseModel):
    """Every error but 422 (see HTTPValidationError)."""

    detail: str


def documented(description: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"model": ErrorMessage, "description": description}
    if headers:
        entry["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in headers.items()
        }
    return entry


# The OpenAPI entries of the statuses that the layers around the routes answer with.
ANY_REQUEST: dict[int | str, dict[str, Any]] = {
    status.HTTP_413_CONTENT_TOO_LARGE: documented("The request body is over the size limit"),
    status.HTTP_431_REQUEST_HEADER_FIELDS_TOO_LARGE: documented(
        "The request line and headers are over the size limit"
    ),
}
AUTHENTICATED: dict[int | str, dict[str, Any]] = {
    status.HTTP_400_BAD_REQUEST: documented(
        "More than one Authorization header, or a body that is not UTF-8",
        {"WWW-Authenticate": 'Bearer error="invalid_request" (several Authorization headers)'},
    ),
    status.HTTP_401_UNAUTHORIZED: documented(
        "No valid bearer token. Checked before anything else about the request.",
        {"WWW-Authenticate": 'Bearer, or Bearer error="invalid_token" when a token was sent'},
    ),
    status.HTTP_429_TOO_MANY_REQUESTS: documented(
        "The caller has MAX_INFLIGHT_PER_USER requests under way already",
        {"Retry-After": "Seconds to wait"},
    ),
    status.HTTP_503_SERVICE_UNAVAILABLE: documented(
        "The database cannot be reached right now", {"Retry-After": "Seconds to wait"}
    ),
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    status.HTTP_404_NOT_FOUND: documented(
        "No such task for this user (another user's task included), or an id that is not "
        "a positive integer in plain decimal"
    ),
}

# Errors that mean "the database cannot serve this right now", as opposed to a bad query:
# SQLAlchemy's (SQLite), asyncpg's (PostgreSQL: connection lost or refused, server shutting
# down or starting, too many connections, a conflict that retrying did not end), and the
# network's own.
UNAVAILABLE = (
    OperationalError,
    InterfaceError,
    PoolTimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,
    asyncpg.InsufficientResourcesError,
    # Deadlock or serialization failure, still there after app/db/postgres.py's retries.
    asyncpg.TransactionRollbackError,
    OSError,
    TimeoutError,
)


def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
    logger.warning(
        "database unavailable on %s %s: %s", request.method, request.url.path, type(error).__name__
    )
    return JSONResponse(
        {"detail": "database unavailable"},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _dbapi_error(request: Request, error: Exception) -> JSONResponse:
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return _database_unavailable(request, error)
    raise error


async def _unavailable(request: Request, error: Exception) -> JSONResponse:
    return _database_unavailable(request, error)


async def _invalid_request(_request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    # The client's input is not echoed back: it can be large, and it may hold text (a lone
    # surrogate, say) that cannot be encoded as UTF-8. ASCII-escaped JSON is always valid.
    errors = [{k: v for k, v in e.items() if k != "input"} for e in error.errors()]
    body = json.dumps({"detail": jsonable_encoder(errors)}, ensure_ascii=True)
    return Response(body, status.HTTP_422_UNPROCESSABLE_CONTENT, media_type="application/json")


def _method_not_allowed(routes: Sequence[BaseRoute]) -> HTTPExceptionHandler:
    async def handler(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        # Starlette's 405 names the methods of the first route that matched the path alone,
        # and FastAPI makes one route per method; RFC 9110 15.5.6 wants every method.
        methods = {
            method
            for route in routes
            if route.matches(request.scope)[0] is not Match.NONE
            for method in getattr(route, "methods", None) or ()
        }
        return JSONResponse(
            {"detail": "Method Not Allowed"},
            status.HTTP_405_METHOD_NOT_ALLOWED,
            headers={"Allow": ", ".join(sorted(methods))} if methods else error.headers,
        )

    return handler


def install_error_handlers(app: FastAPI, routes: Sequence[BaseRoute]) -> None:
    """`routes`: the API's own, whose methods a 405 lists."""
    app.add_exception_handler(status.HTTP_405_METHOD_NOT_ALLOWED, _method_not_allowed(routes))
    app.add_exception_handler(RequestValidationError, _invalid_request)
    for kind in UNAVAILABLE:
        app.add_exception_handler(kind, _unavailable)
    app.add_exception_handler(DBAPIError, _dbapi_error)
