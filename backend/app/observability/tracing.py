"""OpenTelemetry traces, exported over OTLP/HTTP: imported only when
OTEL_EXPORTER_OTLP_ENDPOINT is set.

A request's span continues the W3C traceparent its caller sent (the browser's API call), and
the request's SQL statement is a child of it: one trace from the click to the database. The
standard OTEL_* variables apply: OTEL_SERVICE_NAME, OTEL_PROPAGATORS, OTEL_BSP_* (the batch
export) and OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (every request is sampled unless
they say otherwise: `parentbased_traceidratio` with `0.1` keeps a tenth of the traces that
start here and follows the caller's choice for the rest).

Both spans are made here rather than by opentelemetry-instrumentation-asgi/-asyncpg: those
cost a traced list request more CPU than the rest of the request (measured with py-spy under
bench B12). The ASGI middleware computes a dozen attributes per request (the URL rebuilt,
redacted and matched against the exclusions, both semantic-convention generations), wraps
every ASGI message and names the span after matching the routes again; the asyncpg one wraps
every connection call (pool set-up included), keeps the SQL text of each, and every
attribute is encoded again by the exporter. Here a request has two spans with a few
attributes each, made by `spans.Tracer` (the SDK's own span objects cost more than the rest of
the tracing), and the export, in batches, runs in the span processor's own thread, each batch
written by `otlp.encode_spans` (the exporter's own encoder cost a traced request more than its
spans).
"""

import logging
import os
from collections.abc import Sequence

from fastapi import FastAPI
from opentelemetry import context, propagate, trace
from opentelemetry.exporter.otlp.proto.http import trace_exporter
from opentelemetry.exporter.otlp.proto.http._common import (
    RequestPayloadTooLargeError,
    _is_request_too_large,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExportResult
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Receive, Scope, Send

from app.observability import spans
from app.observability.otlp import encode_spans

SERVICE_NAME = "todo-api"
# Health checks come every second from each balancer: spans of no interest. An event stream
# lasts as long as its page is open: a span of hours says nothing.
EXCLUDED_PATHS = ("/health", "/events")
_DATABASE = {"db.system": "postgresql"}
_logger = logging.getLogger(__name__)


def traces_url(endpoint: str) -> str:
    """OTLP/HTTP: the signal's path after the base endpoint (the exporter's own rule for
    OTEL_EXPORTER_OTLP_ENDPOINT, applied here since the setting may come from .env)."""
    return endpoint.rstrip("/") + "/v1/traces"


class OTLPSpanExporter(trace_exporter.OTLPSpanExporter):
    """The library's OTLP/HTTP exporter (its settings, transport, retries and own metrics),
    each batch written by `encode_spans`, with the library's guards: a batch that cannot be
    encoded, or is larger than the exporter's max_request_size, fails alone, unsent."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if self._shutdown:
            return SpanExportResult.FAILURE
        with self._metrics.export_operation(len(spans)) as result:
            try:
                body = encode_spans(spans)
            except Exception as error:  # the batch is lost, the exporter is not
                _logger.error("Failed to encode span batch: %s", error)
                result.error = error
                return SpanExportResult.FAILURE
            if _is_request_too_large(body, self._max_request_size):
                _logger.warning(
                    "Dropping a span batch of %d bytes: max_request_size is %d",
                    len(body),
                    self._max_request_size,
                )
                result.error = RequestPayloadTooLargeError(
                    f"{len(body)} bytes exceed max_request_size {self._max_request_size}"
                )
                return SpanExportResult.FAILURE
            sent = self._client.export(body)
            if not sent.success:
                result.error = sent.error
                return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS


class Tracing:
    """The tracer of the app's spans and the export behind it."""

    def __init__(self, endpoint: str) -> None:
        resource = Resource.create(
            {"service.name": os.environ.get("OTEL_SERVICE_NAME", SERVICE_NAME)}
        )
        # The sampler comes from OTEL_TRACES_SAMPLER (default: parent-based, always on).
        provider = TracerProvider(resource=resource, shutdown_on_exit=False)
        # Never a simple (synchronous) processor: the export must stay off the request path.
        self.processor = BatchSpanProcessor(OTLPSpanExporter(endpoint=traces_url(endpoint)))
        self.tracer = spans.Tracer(provider, self.processor, "app")

    def statement_span(self, name: str) -> Span:
        """A SQL statement's span, a child of the request's (use it as a context manager:
        an error raised in it is recorded on it)."""
        return self.tracer.start_span(name, kind=SpanKind.CLIENT, attributes=_DATABASE)

    def shutdown(self) -> None:
        """Exports what is left and stops."""
        self.processor.shutdown()


class RequestSpan:
    """Each HTTP request's server span, continuing the caller's trace (W3C traceparent), the
    current span while the app runs. Starts named after the method: `name_span` completes it
    once the router has found the route."""

    def __init__(self, app: ASGIApp, *, tracing: Tracing) -> None:
        self.app = app
        self.tracer = tracing.tracer
        # The headers the propagators read (traceparent, tracestate, baggage unless
        # OTEL_PROPAGATORS says otherwise), as ASGI names them: only those are decoded.
        self.fields = {field.encode("latin-1") for field in propagate.get_global_textmap().fields}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXCLUDED_PATHS):
            await self.app(scope, receive, send)
            return
        carrier = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope["headers"]
            if name in self.fields
        }
        span = self.tracer.start_span(
            scope["method"],
            context=propagate.extract(carrier),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": scope["method"]},
        )
        token = context.attach(trace.set_span_in_context(span))
        try:
            await self.app(scope, receive, send)
        except BaseException as error:
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
            raise
        finally:
            context.detach(token)
            span.end()


def name_span(method: str, route: str, status: int) -> None:
    """`GET /tasks/{task_id}`: the request's span named after its route template, with the
    response's status (a 5xx is an error of the server's)."""
    span = trace.get_current_span()
    if span.is_recording():
        span.update_name(f"{method} {route}")
        span.set_attributes({"http.route": route, "http.response.status_code": status})
        if status >= 500:
            span.set_status(Status(StatusCode.ERROR))


def install(app: FastAPI, endpoint: str) -> Tracing:
    """Adds the request span to `app` (its outermost middleware: call it last)."""
    tracing = Tracing(endpoint)
    app.add_middleware(RequestSpan, tracing=tracing)
    return tracing


def current_trace_id() -> str | None:
    context_ = trace.get_current_span().get_span_context()
    return format(context_.trace_id, "032x") if context_.is_valid else None
