"""Liveness and readiness, without authentication."""

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.api.errors import RETRY_AFTER_SECONDS

router = APIRouter(prefix="/health", tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "unavailable"]


@router.get("")
async def health() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get(
    "/ready",
    response_model=Health,
    responses={
        503: {
            "model": Health,
            "description": "The database does not answer within DB_TIMEOUT_SECONDS",
            "headers": {
                "Retry-After": {"description": "Seconds to wait", "schema": {"type": "string"}}
            },
        }
    },
)
async def ready(request: Request) -> JSONResponse:
    """The process can reach its database."""
    try:
        await request.app.state.db.ping()
    except Exception:  # any failure to reach the database means "not ready"
        return JSONResponse(
            {"status": "unavailable"},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return JSONResponse({"status": "ok"})
