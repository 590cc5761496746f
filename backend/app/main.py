"""Builds the ASGI app: settings, token verifier, database, routers, CORS and error handlers."""

import asyncio
import gc
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from sqlalchemy.exc import OperationalError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.auth import RequireBearerToken
from app.api.errors import ANY_REQUEST, install_error_handlers
from app.api.fair_share import InflightLimitPerUser
from app.api.limits import BodySizeLimit
from app.api.routes import data, events, health, lists, me, tags, tasks
from app.changes import ChangeHub, pruning
from app.core.config import ConfigError, Settings, get_settings
from app.core.security import TokenVerifier
from app.db import Database, database_for
from app.db.listen import ChangeListener
from app.db.postgres import PostgresDatabase, connect_arguments
from app.db.sqlite import SqliteDatabase
from app.db.urls import database_url
from app.migrations import migrate, unreachable_message
from app.observability import install as install_observability
from app.statements import Quotas

logger = logging.getLogger("app")
# The allocations between two collections of the youngest generation (Python's default: 700).
# A page of tasks allocates more than that, so the default collected during nearly every list
# request, scanning the rows of every request in flight, and moved them to the older
# generations to be scanned again: 15 % of a list request's CPU (bench/README.md). Request
# garbage is freed by reference counting; the collector is only for cycles, which are rare.
YOUNG_COLLECTION_THRESHOLD = 20_000


class StartupFailed(Exception):
    """The app cannot start; the reason has been logged, in one line for the operator."""


class QuietStartupFailure:
    """Keeps the traceback of a StartupFailed out of the server's log.

    Starlette reports a failed lifespan start-up with the traceback as the message, and
    uvicorn logs that message. After a StartupFailed, whose reason is logged already, the
    failure is reported without one; any other exception keeps its traceback.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        failures: list[Message] = []

        async def hold_failures(message: Message) -> None:
            if message["type"] == "lifespan.startup.failed":
                failures.append(message)  # sent below, once the exception says why
            else:
                await send(message)

        try:
            await self.app(scope, receive, hold_failures)
        except StartupFailed:
            await send({"type": "lifespan.startup.failed", "message": ""})
            raise
        except BaseException:
            for message in failures:
                await send(message)
            raise


def create_app(settings: Settings) -> FastAPI:
    database = database_for(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.auto_migrate:
            # Alembic is synchronous; several workers may do this at once (it takes a lock).
            try:
                await asyncio.to_thread(migrate, settings.database_url)
            except OperationalError as error:
                logger.error("error: %s", unreachable_message(settings.database_url, error))
                raise StartupFailed from error
        await database.open()
        background = _start_change_feed(settings, database, hub)
        # Everything built so far (app, routes, schemas, SQLAlchemy metadata) lives as long as
        # the process: frozen, it is no longer re-scanned by the collections that request
        # garbage triggers (measured: bench/README.md).
        gc.freeze()
        gc.set_threshold(YOUNG_COLLECTION_THRESHOLD)
        async with observe(database):
            yield
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        await database.close()

    app = FastAPI(
        title="Todo API",
        version="1.0.0",
        summary="Per-user tasks behind a stateless HS256 JWT bridge.",
        lifespan=lifespan,
        # A redirect to the URL with(out) the slash would be built from the Host header.
        redirect_slashes=False,
        generate_unique_id_function=_operation_id,
        # FastAPI's own OpenTelemetry hooks, off: app/observability/tracing.py makes the
        # spans (cheaper), and otherwise every request asks whether a provider is set.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        responses=ANY_REQUEST,
        openapi_tags=[
            {"name": "tasks", "description": "The caller's tasks (a bearer token is required)"},
            {"name": "lists", "description": "The caller's lists (a bearer token is required)"},
            {"name": "tags", "description": "The caller's tags (a bearer token is required)"},
            {"name": "me", "description": "All the caller owns (a bearer token is required)"},
            {
                "name": "data",
                "description": "Export and import of the caller's lists and tasks (a bearer "
                "token is required)",
            },
            {
                "name": "events",
                "description": "The caller's changes as they happen, a server-sent event "
                "stream (a bearer token is required)",
            },
            {"name": "health", "description": "Liveness and readiness, without a token"},
        ],
    )
    app.state.db = database
    hub = ChangeHub()
    app.state.events = events.EventSettings(
        hub=hub,
        heartbeat_seconds=settings.events_heartbeat_seconds,
        max_streams_per_user=settings.max_streams_per_user,
    )
    app.state.quotas = Quotas(tasks=settings.max_tasks_per_user, tags=settings.max_tags_per_user)
    verifier = TokenVerifier(
        secrets=settings.verification_secrets,
        leeway_seconds=settings.jwt_leeway_seconds,
        max_lifetime_seconds=settings.jwt_max_lifetime_seconds,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )
    routers = (
        health.router,
        tasks.router,
        lists.router,
        tags.router,
        me.router,
        data.router,
        events.router,
    )
    for router in routers:
        app.include_router(router)
    routes = [route for router in routers for route in router.routes]
    install_error_handlers(app, routes)
    public = [route.path for route in health.router.routes if isinstance(route, APIRoute)]
    docs = (app.openapi_url, app.docs_url, app.swagger_ui_oauth2_redirect_url, app.redoc_url)
    # Inside the token check, which names the user.
    app.add_middleware(
        InflightLimitPerUser, limit=settings.max_inflight_per_user, exempt_paths=[events.PATH]
    )
    app.add_middleware(
        RequireBearerToken,
        verifier=verifier,
        public_paths=[*public, *(path for path in docs if path)],
    )
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        # An import's file is larger than any other request's body.
        per_path={data.IMPORT_PATH: data.IMPORT_MAX_BYTES},
    )
    app.add_middleware(QuietStartupFailure)
    # Outermost, so that even a refusal (413, 401) reaches the browser with CORS headers.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PATCH", "DELETE"],
        # X-Request-ID and the W3C trace context: the browser sends them with each call.
        allow_headers=[
            "Authorization",
            "Content-Type",
            "Idempotency-Key",
            # The cursor a reconnecting event stream (GET /events) sends.
            "Last-Event-ID",
            "X-Request-ID",
            "traceparent",
            "tracestate",
        ],
        # Not CORS-safelisted headers: without this a browser on another origin cannot read
        # how long a 503 asks it to wait before retrying, nor the id of its request,
        # nor the file name of an export (GET /export's Content-Disposition).
        expose_headers=["Retry-After", "X-Request-ID", "Content-Disposition"],
        max_age=600,
    )
    observe = install_observability(app, settings, routes)
    return app


# How often a worker prunes the change feed, and pings its LISTEN connection.
PRUNE_EVERY_SECONDS = 600.0
LISTEN_PING_SECONDS = 5.0


def _start_change_feed(
    settings: Settings, database: Database, hub: ChangeHub
) -> list[asyncio.Task[None]]:
    """What wakes the event streams of this worker (app/changes.py), and the feed's pruning."""
    tasks = [
        asyncio.create_task(pruning(database, settings.change_retention_hours, PRUNE_EVERY_SECONDS))
    ]
    if isinstance(database, SqliteDatabase):
        database.on_write(hub.changed)
    elif isinstance(database, PostgresDatabase):
        url = database_url(settings.database_listen_url or settings.database_url, asynchronous=True)
        listener = ChangeListener(
            connect_arguments(url),
            changed=hub.changed,
            resync=hub.resync,
            ping_seconds=LISTEN_PING_SECONDS,
            timeout=settings.db_timeout_seconds,
        )
        tasks.append(asyncio.create_task(listener.run()))
    return tasks


def _operation_id(route: APIRoute) -> str:
    """The route function's name in camelCase: list_tasks -> listTasks."""
    first, *rest = route.name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def _settings_or_exit() -> Settings:
    try:
        return get_settings()
    except ConfigError as error:
        # One clear line instead of a traceback: this is an operator's mistake, not a bug.
        sys.exit(f"error: {error}")


app = create_app(_settings_or_exit())
