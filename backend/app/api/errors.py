"""Error responses: short JSON for the client, never a traceback."""

import json
import logging

import asyncpg
from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

logger = logging.getLogger(__name__)

# Errors that mean "the database cannot be reached right now", as opposed to a bad query:
# SQLAlchemy's (SQLite), asyncpg's (PostgreSQL: connection lost or refused, server shutting
# down or starting, too many connections), and the network's own.
UNAVAILABLE = (
    OperationalError,
    InterfaceError,
    PoolTimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,
    asyncpg.InsufficientResourcesError,
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
        headers={"Retry-After": "2"},
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


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _invalid_request)
    for kind in UNAVAILABLE:
        app.add_exception_handler(kind, _unavailable)
    app.add_exception_handler(DBAPIError, _dbapi_error)
