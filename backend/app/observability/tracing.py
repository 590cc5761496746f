"""OpenTelemetry traces, exported over OTLP/HTTP: imported only when
OTEL_EXPORTER_OTLP_ENDPOINT is set.

A request's span continues the W3C traceparent its caller sent (the browser's API call), and
each SQL statement (asyncpg) is a child of it: one trace from the click to the database. The
standard OTEL_* variables (OTEL_SERVICE_NAME, OTEL_BSP_*, OTEL_TRACES_SAMPLER...) apply.
"""

import os
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

SERVICE_NAME = "todo-api"
# Health checks come every second from each balancer: spans of no interest. An event stream
# would be one span as long as its token lasts (and the instrumentation wraps every chunk).
EXCLUDED_URLS = "/health,/events"


def traces_url(endpoint: str) -> str:
    """OTLP/HTTP: the signal's path after the base endpoint (the exporter's own rule for
    OTEL_EXPORTER_OTLP_ENDPOINT, applied here since the setting may come from .env)."""
    return endpoint.rstrip("/") + "/v1/traces"


def install(app: FastAPI, endpoint: str) -> Callable[[], None]:
    """Instruments `app` (its outermost middleware: call it last) and asyncpg; returns what
    flushes and stops the export.

    FastAPI's own instrumentation (FastAPIInstrumentor) wraps the same ASGI middleware, but
    names each span by matching the request against every route again, before routing: a
    good part of a request's CPU. Here the span starts named after the method alone, and
    `name_span` (called by app/observability/requests.py once routing is done) adds the
    route template the router found.
    """
    resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", SERVICE_NAME)})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=traces_url(endpoint))))
    app.add_middleware(
        OpenTelemetryMiddleware,
        tracer_provider=provider,
        excluded_urls=EXCLUDED_URLS,
        default_span_details=_span_details,
        # Spans of their own for each ASGI message double a request's spans for nothing.
        exclude_spans=["send", "receive"],
    )
    # asyncpg is patched process-wide, for as long as this app lives.
    instrumentor = AsyncPGInstrumentor()
    instrumentor.instrument(tracer_provider=provider)

    def shutdown() -> None:
        instrumentor.uninstrument()
        provider.shutdown()

    return shutdown


def _span_details(scope: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return str(scope.get("method", "HTTP")), {}


def name_span(method: str, route: str) -> None:
    """`GET /tasks/{task_id}`: the request's span named after its route template."""
    span = trace.get_current_span()
    if span.is_recording():
        span.update_name(f"{method} {route}")
        span.set_attribute("http.route", route)


def current_trace_id() -> str | None:
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None
