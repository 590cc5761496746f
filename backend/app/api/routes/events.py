"""GET /events: the caller's changes as they commit, a server-sent event stream (app/changes.py)."""

import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response, status
from fastapi.responses import JSONResponse
from starlette.responses import StreamingResponse

from app import changes
from app.api.auth import INVALID_CHALLENGE, TOKEN_EXPIRES, Refusal
from app.api.deps import CurrentUser, Db
from app.api.errors import AUTHENTICATED, documented
from app.db import Database
from app.observability import metrics

logger = logging.getLogger("app.events")

PATH = "/events"
TOO_MANY_STREAMS = "too many event streams open for this user"
RETRY_AFTER_SECONDS = 5

router = APIRouter(tags=["events"], responses=AUTHENTICATED)


@dataclass(frozen=True, slots=True)
class EventSettings:
    hub: changes.ChangeHub
    heartbeat_seconds: float
    max_streams_per_user: int


_STREAM: dict[int | str, dict[str, Any]] = {
    status.HTTP_200_OK: {
        "description": (
            "A server-sent event stream (text/event-stream), open until the token's exp. Each "
            "event: `id:` the cursor (increasing, per user) and `data:` one line of JSON, "
            '`{"type": "task.created"|"task.updated"|"task.deleted"|"list.created"|'
            '"list.updated"|"list.deleted", "id": <id>, "row": <the task or list as GET '
            "returns it, for created and updated>}`. A comment line (`: ping`) when nothing "
            "else was sent for EVENTS_HEARTBEAT_SECONDS. `event: reset` (data "
            '`{"type": "reset"}`) when the Last-Event-ID cannot be replayed: refetch.'
        ),
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    },
    status.HTTP_429_TOO_MANY_REQUESTS: documented(
        "The caller has MAX_STREAMS_PER_USER event streams open already (or "
        "MAX_INFLIGHT_PER_USER requests under way)",
        {"Retry-After": "Seconds to wait"},
    ),
}


@router.get(PATH, response_class=StreamingResponse, responses=_STREAM)
async def stream_events(
    request: Request,
    db: Db,
    user_id: CurrentUser,
    last_event_id: Annotated[
        str | None,
        Header(
            description="The id of the last event received: the stream replays every change "
            "after it (kept CHANGE_RETENTION_HOURS), or sends `event: reset` when it cannot",
            max_length=100,
        ),
    ] = None,
) -> Response:
    """The caller's changes to their tasks and lists, as they commit, from any API replica.
    The token goes in the Authorization header, as for every call; the stream ends at its exp,
    and the client reconnects with a fresh token and its Last-Event-ID."""
    settings: EventSettings = request.app.state.events
    ends_at = float(request.scope[TOKEN_EXPIRES])
    if ends_at <= time.time():
        # Accepted within JWT_LEEWAY_SECONDS, but a stream would end at once, and a client
        # reconnecting with the same token would loop: a 401 makes it fetch a fresh one.
        return Refusal(401, "token expired", "expired", INVALID_CHALLENGE).response()
    if settings.hub.open_streams(user_id) >= settings.max_streams_per_user:
        metrics.rate_limit_refused("event_streams")
        return JSONResponse(
            {"detail": TOO_MANY_STREAMS},
            status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    # Before the answer starts: a database that cannot answer is a 503, as for any request.
    cursor, reset = await changes.start(db, user_id, last_event_id)
    events = _events(db, settings, user_id, cursor, reset, ends_at=ends_at)
    return StreamingResponse(
        events,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _events(
    db: Database,
    settings: EventSettings,
    user_id: str,
    cursor: int,
    reset: bytes | None,
    *,
    ends_at: float,
) -> AsyncIterator[bytes]:
    async with metrics.event_stream():
        try:
            async for chunk in changes.stream(
                db,
                settings.hub,
                user_id,
                cursor,
                reset,
                ends_at=ends_at,
                heartbeat_seconds=settings.heartbeat_seconds,
            ):
                yield chunk
        except Exception as error:
            # The answer has started: all that is left is to end it. The client reconnects
            # with its Last-Event-ID and loses nothing.
            logger.warning("event stream ended: %s", type(error).__name__)
