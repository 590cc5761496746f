"""Failures that are not the client's fault, answered as short JSON instead of a traceback."""

import logging

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

logger = logging.getLogger(__name__)

# Errors that mean "the database cannot be reached right now", as opposed to a bad query.
UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeoutError, OSError, TimeoutError)


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


def install_error_handlers(app: FastAPI) -> None:
    for kind in UNAVAILABLE:
        app.add_exception_handler(kind, _unavailable)
    app.add_exception_handler(DBAPIError, _dbapi_error)
