"""Metrics, JSON logs, request ids and traces: what an operator sees of the API.

Every part is optional and off by default. Request ids are always on (every response carries
X-Request-ID); Prometheus metrics come with METRICS_PORT (`metrics`, `prometheus`), JSON log
lines with LOG_FORMAT=json (`logs`), OpenTelemetry traces with OTEL_EXPORTER_OTLP_ENDPOINT
(`tracing`). A part that is off is not even imported.
"""

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

from fastapi import FastAPI
from starlette.routing import BaseRoute

from app.core.config import Settings
from app.db.base import Database
from app.observability import metrics
from app.observability.logs import UserHasher
from app.observability.requests import RequestContext


def install(
    app: FastAPI, settings: Settings, routes: Sequence[BaseRoute]
) -> Callable[[Database], AbstractAsyncContextManager[None]]:
    """Wires what the settings turn on into `app` (`routes`: the API's own, whose templates
    label the metrics); returns what the app's lifespan runs
    around its life (`async with observe(database)`): the pool sampler, the span export."""
    endpoint = settings.otel_exporter_otlp_endpoint
    trace_id: Callable[[], str | None] | None = None
    name_span: Callable[[str, str, int], None] | None = None
    if endpoint:
        from app.observability import tracing

        trace_id, name_span = tracing.current_trace_id, tracing.name_span
    if settings.metrics_port is not None:
        metrics.enable()
    # Outermost of the app's own middleware but the span's: even a CORS preflight or a
    # refusal carries the id.
    app.add_middleware(
        RequestContext,
        routes=routes,
        hash_user=UserHasher(settings.better_auth_secret.encode()),
        trace_id=trace_id,
        name_span=name_span,
    )
    traced = tracing.install(app, endpoint) if endpoint else None

    @asynccontextmanager
    async def observe(database: Database) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if traced is not None:
                # Here, not at the top: app.db.postgres imports this package's metrics.
                from app.db.postgres import PostgresDatabase

                if isinstance(database, PostgresDatabase):
                    database.statement_span = traced.statement_span
                stack.callback(traced.shutdown)
            if metrics.enabled():
                await stack.enter_async_context(metrics.sampling(database))
            yield

    return observe
