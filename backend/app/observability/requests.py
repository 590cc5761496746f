"""Each request's id, access line and duration metric, in one middleware around the app.

X-Request-ID: a client's (or the balancer's) id is kept when it is safe to echo and to log
(1 to 64 of A-Z a-z 0-9 . _ -), anything else is replaced by a new one; every response
carries it, a refusal or an error included, and so does every log line written meanwhile.
"""

import logging
import re
import time
import uuid
from collections.abc import Callable, Sequence

from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.observability import metrics
from app.observability.logs import UserHasher, current_request_id

HEADER = b"x-request-id"
_SAFE_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")
# The route label of a request no route matched (a 404): never its raw path.
UNMATCHED = "unmatched"
access_logger = logging.getLogger("app.access")


def request_id(headers: Sequence[tuple[bytes, bytes]]) -> str:
    """The request's one X-Request-ID when it is safe, else a new id."""
    values = [value for name, value in headers if name == HEADER]
    if len(values) == 1 and _SAFE_ID.fullmatch(values[0]):
        return values[0].decode("ascii")
    return uuid.uuid4().hex


class _Routes:
    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.routes = routes

    def template(self, scope: Scope) -> str:
        """The route template (`/tasks/{task_id}`) of the request, or UNMATCHED."""
        route = scope.get("route")
        if route is None:
            # Refused before routing (401, 413): the route it was meant for, all the same.
            route = next((r for r in self.routes if r.matches(scope)[0] is not Match.NONE), None)
        template: str | None = getattr(route, "path_format", None) or getattr(route, "path", None)
        return template or UNMATCHED


class RequestContext:
    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Sequence[BaseRoute],
        hash_user: UserHasher,
        trace_id: Callable[[], str | None] | None = None,
        name_span: Callable[[str, str, int], None] | None = None,
    ) -> None:
        self.app = app
        self.routes = _Routes(routes)
        self.hash_user = hash_user
        self.trace_id = trace_id
        self.name_span = name_span

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = request_id(scope["headers"])
        header = (HEADER, rid.encode("ascii"))
        status = 500
        responded = recorded = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, responded, recorded
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                message["headers"] = [*message.get("headers", ()), header]
                if self.name_span is not None:
                    # Now: the span ends with the response, before this middleware returns.
                    self.name_span(scope["method"], self.routes.template(scope), status)
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                # Before the last of the body leaves: whoever got the response finds its line.
                recorded = True
                self._record(scope, rid, status, time.perf_counter() - started)
            await send(message)

        reset = current_request_id.set(rid)
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Starlette's own 500 would be sent outside this middleware, without the id.
            if not responded:
                response = JSONResponse({"detail": "Internal Server Error"}, 500)
                await response(scope, receive, send_with_id)
            raise
        finally:
            current_request_id.reset(reset)
            if not recorded:  # the client went away before the response ended
                self._record(scope, rid, status, time.perf_counter() - started)

    def _record(self, scope: Scope, rid: str, status: int, seconds: float) -> None:
        log = access_logger.isEnabledFor(logging.INFO)
        if not (log or metrics.enabled()):
            return
        method: str = scope["method"]
        route = self.routes.template(scope)
        metrics.request_served(method, route, status, seconds)
        if not log:
            return
        user = scope.get("user_id")
        duration_ms = round(seconds * 1000, 2)
        client = scope.get("client")
        query = scope.get("query_string", b"").decode("latin-1")
        # uvicorn's access line (which this one replaces), then the duration.
        access_logger.info(
            '%s - "%s %s HTTP/%s" %d %.2fms',
            f"{client[0]}:{client[1]}" if client else "-",
            method,
            f"{scope['path']}?{query}" if query else scope["path"],
            scope.get("http_version", "1.1"),
            status,
            duration_ms,
            extra={
                "request_id": rid,
                "method": method,
                "route": route,
                "path": scope["path"],
                "status": status,
                "duration_ms": duration_ms,
                "user": None if user is None else self.hash_user.hash(user),
                "trace_id": None if self.trace_id is None else self.trace_id(),
            },
        )
