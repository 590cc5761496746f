"""The app's spans: what OpenTelemetry's SDK tracer does for a span, less what the app never uses.

The SDK's span is made for any caller: each carries a lock, attributes, events and links
bounded by the span limits, the provider's chain of processors called at its start and at its
end, and at the end a copy of itself as a ReadableSpan for the processors. With two spans a
request, that cost a traced list more than the rest of the tracing (bench/trace_cost.py): the
export's goal (issue 24, B12) was out of reach with it. Here a span is a plain record of what
the app sets (its own few attributes, a status, an exception's event), finished straight into
the ReadableSpan the batch processor and the exporter take. Everything else stays the SDK's:
the sampler (OTEL_TRACES_SAMPLER...), the ids, the resource, the propagators, the batching and
the export.

A span is used by one request at a time (the event loop's thread): no lock. Its attributes are
kept as given, unchecked: only the app's own code sets them (a value the export cannot write
fails that batch alone: tracing.OTLPSpanExporter).
"""

import os
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from time import time_ns
from types import TracebackType

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.environment_variables import OTEL_SDK_DISABLED
from opentelemetry.sdk.trace import Event, ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.sampling import Decision
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import (
    NonRecordingSpan,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    TraceFlags,
)
from opentelemetry.util.types import Attributes, AttributeValue

_SAMPLED = TraceFlags(TraceFlags.SAMPLED)
_NOT_SAMPLED = TraceFlags(TraceFlags.DEFAULT)
_UNSET = Status(StatusCode.UNSET)


class Tracer:
    """Starts the app's spans with the sampler and ids of `provider` (its configuration from
    the OTEL_* variables); a finished span goes to `processor`'s `on_end`."""

    def __init__(self, provider: TracerProvider, processor: SpanProcessor, scope: str) -> None:
        self.sampler = provider.sampler
        self.ids = provider.id_generator
        self.resource = provider.resource
        self.scope = InstrumentationScope(scope, "", "")  # as the SDK names a tracer's
        self.processor = processor
        self.random_ids = self.ids.is_trace_id_random()
        # As the SDK's tracer: OTEL_SDK_DISABLED=true records nothing.
        self.disabled = os.environ.get(OTEL_SDK_DISABLED, "").strip().lower() == "true"

    def start_span(
        self,
        name: str,
        context: Context | None = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: Mapping[str, AttributeValue] | None = None,
    ) -> trace.Span:
        """A child of the current span (or of `context`'s), as the SDK's `start_span` makes
        it: recording or not as the sampler says."""
        current = trace.get_current_span(context).get_span_context()
        if self.disabled:
            return NonRecordingSpan(current)
        parent: SpanContext | None = current
        if current.is_valid:
            trace_id, random_id = current.trace_id, current.trace_flags.random_trace_id
        else:
            parent, trace_id, random_id = None, self.ids.generate_trace_id(), self.random_ids
        sampling = self.sampler.should_sample(context, trace_id, name, kind, attributes)
        flags = _SAMPLED if sampling.decision is Decision.RECORD_AND_SAMPLE else _NOT_SAMPLED
        if random_id:
            flags = TraceFlags(flags | TraceFlags.RANDOM_TRACE_ID)
        span_context = SpanContext(
            trace_id,
            self.ids.generate_span_id(),
            is_remote=False,
            trace_flags=flags,
            trace_state=sampling.trace_state,
        )
        if sampling.decision is Decision.DROP:
            return NonRecordingSpan(span_context)
        return Span(self, name, span_context, parent, kind, dict(sampling.attributes or {}))


@dataclass(eq=False, slots=True)
class Span(trace.Span):
    """A recording span of the app's (see the module's text)."""

    tracer: Tracer
    name: str
    context: SpanContext
    parent: SpanContext | None
    kind: SpanKind
    attributes: dict[str, AttributeValue]
    events: list[Event] = field(default_factory=list)
    status: Status = _UNSET
    ended: bool = False
    start: int = field(default_factory=time_ns)

    def get_span_context(self) -> SpanContext:
        return self.context

    def is_recording(self) -> bool:
        return not self.ended

    def update_name(self, name: str) -> None:
        if not self.ended:
            self.name = name

    def set_attribute(self, key: str, value: AttributeValue) -> None:
        if not self.ended:
            self.attributes[key] = value

    def set_attributes(self, attributes: Mapping[str, AttributeValue]) -> None:
        if not self.ended:
            self.attributes.update(attributes)

    def set_status(self, status: Status | StatusCode, description: str | None = None) -> None:
        # The SDK's rules: OK is final; a description goes with ERROR only.
        if self.ended or self.status.status_code is StatusCode.OK:
            return
        if isinstance(status, StatusCode):
            status = Status(status, description)
        if status.status_code is not StatusCode.UNSET:
            self.status = status

    def add_event(
        self, name: str, attributes: Attributes = None, timestamp: int | None = None
    ) -> None:
        if not self.ended:
            self.events.append(Event(name, attributes, timestamp))  # None: now, as Event has it

    def add_link(self, context: SpanContext, attributes: Attributes = None) -> None:
        # Links are only ever given at a span's start, and the app gives none.
        return

    def record_exception(
        self,
        exception: BaseException,
        attributes: Attributes = None,
        timestamp: int | None = None,
        escaped: bool = False,
    ) -> None:
        """The SDK's exception event (the semantic conventions' `exception.*` attributes)."""
        module, name = type(exception).__module__, type(exception).__qualname__
        event: dict[str, AttributeValue] = {
            "exception.type": f"{module}.{name}" if module and module != "builtins" else name,
            "exception.message": str(exception),
            "exception.stacktrace": "".join(traceback.format_exception(exception)),
            "exception.escaped": str(escaped),
        }
        event.update(attributes or {})
        self.add_event("exception", event, timestamp)

    def end(self, end_time: int | None = None) -> None:
        if self.ended:
            return
        self.ended = True
        tracer = self.tracer
        tracer.processor.on_end(
            ReadableSpan(
                name=self.name,
                context=self.context,
                parent=self.parent,
                resource=tracer.resource,
                attributes=self.attributes,
                events=self.events,
                kind=self.kind,
                status=self.status,
                start_time=self.start,
                end_time=time_ns() if end_time is None else end_time,
                instrumentation_scope=tracer.scope,
            )
        )

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        # As the SDK's span used as a context manager: an error that leaves it is recorded.
        if exc_val is not None and not self.ended:
            self.record_exception(exc_val, escaped=True)
            self.set_status(Status(StatusCode.ERROR, f"{type(exc_val).__name__}: {exc_val}"))
        self.end()
