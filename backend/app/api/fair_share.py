"""Fair share: one user's requests in flight are capped per worker, so that a user sending many
slow requests at once (heavy searches, issue 19) cannot take every pooled database connection
and leave the other users' requests waiting into a 503."""

from collections import Counter
from collections.abc import Iterable

from fastapi import status
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.auth import USER_ID
from app.observability import metrics

BUSY = "too many requests in flight for this user"
RETRY_AFTER_SECONDS = 1


class InflightLimitPerUser:
    """Answers 429 (with Retry-After) to a request of a user who already has `limit` requests
    under way in this worker. Runs after authentication, which names the user; requests
    without one (the health checks) are not counted. The count lives in the worker: with N
    workers a user has at most N x limit requests in flight, still a bounded share."""

    def __init__(self, app: ASGIApp, *, limit: int, exempt_paths: Iterable[str] = ()) -> None:
        self.app = app
        self.limit = limit
        # Requests that are not work in flight: an event stream stays open for as long as its
        # token lasts, holding no connection while idle (capped on its own: app/changes.py).
        self.exempt_paths = frozenset(exempt_paths)
        self.in_flight: Counter[str] = Counter()

    def _exempt(self, scope: Scope) -> bool:
        # Behind a proxy that mounts the API under a prefix, the path starts with root_path.
        path: str = scope["path"]
        return path.removeprefix(scope.get("root_path", "")) in self.exempt_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        user_id: str | None = scope.get(USER_ID)
        if user_id is None or self._exempt(scope):
            await self.app(scope, receive, send)
            return
        if self.in_flight[user_id] >= self.limit:
            metrics.rate_limit_refused("in_flight")
            response = JSONResponse(
                {"detail": BUSY},
                status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
            await response(scope, receive, send)
            return
        self.in_flight[user_id] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight[user_id] -= 1
            if not self.in_flight[user_id]:
                del self.in_flight[user_id]
