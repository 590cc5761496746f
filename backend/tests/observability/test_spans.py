"""The app's spans (`app.observability.spans`) end up as the SDK's tracer would have made them:
the same script of calls, run through both with the same ids, sampler and parent, hands the
processor the same spans (times aside), and the same ones are left out."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry import context, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ALWAYS_ON,
    ParentBased,
    Sampler,
    TraceIdRatioBased,
)
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, TraceFlags, TraceState
from opentelemetry.trace.status import Status, StatusCode

from app.observability import spans

RESOURCE = Resource.create({"service.name": "todo-api"})
SAMPLERS: list[Sampler] = [
    ParentBased(ALWAYS_ON),
    ParentBased(ALWAYS_OFF),
    ALWAYS_ON,
    ALWAYS_OFF,
    TraceIdRatioBased(0.5),
    ParentBased(TraceIdRatioBased(0.5)),
]
# The caller's traceparent, as the propagator hands it over (or none).
PARENTS = [
    None,
    SpanContext(0xABC, 0xDEF, is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED)),
    SpanContext(0xABC, 0xDEF, is_remote=True, trace_flags=TraceFlags(TraceFlags.DEFAULT)),
    SpanContext(
        2**127 + 5,
        7,
        is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED | TraceFlags.RANDOM_TRACE_ID),
        trace_state=TraceState([("vendor", "x")]),
    ),
]


class Counting(IdGenerator):
    """Ids in sequence: the two tracers draw the same ones."""

    def __init__(self) -> None:
        self.last = 2**100

    def generate_span_id(self) -> int:
        self.last += 1
        return self.last % 2**64

    def generate_trace_id(self) -> int:
        self.last += 1
        return self.last


class Kept(SpanProcessor):
    def __init__(self) -> None:
        self.spans: list[ReadableSpan] = []

    def on_end(self, span: ReadableSpan) -> None:
        self.spans.append(span)


Call = Callable[[trace.Span], object]
CALLS: list[Call] = [
    lambda span: span.set_attribute("http.route", "/tasks/{task_id}"),
    lambda span: span.set_attributes({"http.response.status_code": 404, "ok": False}),
    lambda span: span.update_name("GET /tasks/{task_id}"),
    lambda span: span.set_status(Status(StatusCode.ERROR)),
    lambda span: span.set_status(StatusCode.ERROR, "upstream"),
    lambda span: span.set_status(Status(StatusCode.OK)),
    lambda span: span.set_status(StatusCode.UNSET),
    lambda span: span.add_event("retry", {"attempt": 2}, timestamp=5),
    lambda span: span.add_event("at the epoch", timestamp=0),  # a time given, not "now"
    lambda span: span.end(0),  # likewise
    lambda span: span.record_exception(ValueError("no"), {"extra": 1.5}),
]


def run(
    tracer: Callable[[TracerProvider, SpanProcessor], Any],
    sampler: Sampler,
    parent: SpanContext | None,
    calls: list[Call],
    raises: bool,
) -> tuple[list[ReadableSpan], list[trace.Span]]:
    """A request's two spans, as RequestSpan and statement_span make them, through `tracer`."""
    kept = Kept()
    provider = TracerProvider(
        sampler=sampler, resource=RESOURCE, id_generator=Counting(), shutdown_on_exit=False
    )
    made = tracer(provider, kept)
    caller = trace.set_span_in_context(NonRecordingSpan(parent)) if parent else Context()
    server = made.start_span(
        "GET", context=caller, kind=SpanKind.SERVER, attributes={"http.request.method": "GET"}
    )
    token = context.attach(trace.set_span_in_context(server))
    try:
        with made.start_span("SELECT task", kind=SpanKind.CLIENT, attributes={"db": "pg"}) as sql:
            for call in calls:
                call(sql)
            if raises:
                raise LookupError("gone")
    except LookupError:
        pass
    finally:
        context.detach(token)
    for call in calls:
        call(server)
    server.end()
    server.end()  # a second end changes nothing
    for call in calls:  # nor does anything after the end
        call(server)
    return kept.spans, [server, sql]


def sdk(provider: TracerProvider, processor: SpanProcessor) -> trace.Tracer:
    provider.add_span_processor(processor)
    return provider.get_tracer("app")


def app(provider: TracerProvider, processor: SpanProcessor) -> spans.Tracer:
    return spans.Tracer(provider, processor, "app")


def view(span: ReadableSpan) -> dict[str, Any]:
    """What the exporter writes of a span, its times aside."""
    return {
        "name": span.name,
        "context": span.context,
        "flags": span.context.trace_flags if span.context else None,
        "trace_state": span.context.trace_state if span.context else None,
        "parent": span.parent,
        "parent_remote": span.parent.is_remote if span.parent else None,
        "kind": span.kind,
        "attributes": dict(span.attributes or {}),
        "dropped": span.dropped_attributes,
        # An event stamped by the span (an exception's) has the time of the call: "now".
        "events": [
            (
                event.name,
                dict(event.attributes or {}),
                event.timestamp if event.timestamp < 10 else "now",
            )
            for event in span.events
        ],
        "links": list(span.links),
        "status": (span.status.status_code, span.status.description),
        "resource": span.resource,
        "scope": span.instrumentation_scope,
        "timed": span.start_time is not None and span.end_time is not None,
        # An end time given (0) is kept; one the span stamped itself is the time of the call.
        "ended_at_0": span.end_time == 0,
    }


def stacktraces(spans_: list[ReadableSpan]) -> Iterator[str]:
    for span in spans_:
        for event in span.events:
            if event.name == "exception" and event.attributes:
                yield str(event.attributes["exception.stacktrace"]).splitlines()[-1]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(SAMPLERS),
    st.sampled_from(PARENTS),
    st.lists(st.sampled_from(CALLS), max_size=6),
    st.booleans(),
)
def test_the_spans_are_the_sdks(
    sampler: Sampler, parent: SpanContext | None, calls: list[Call], raises: bool
) -> None:
    theirs, their_spans = run(sdk, sampler, parent, calls, raises)
    ours, our_spans = run(app, sampler, parent, calls, raises)
    assert [view(span) for span in ours] == [view(span) for span in theirs]
    assert list(stacktraces(ours)) == list(stacktraces(theirs))
    # A span left out is left out alike, with the same context (the ids a log line shows).
    assert [s.get_span_context() for s in our_spans] == [s.get_span_context() for s in their_spans]
    assert [s.is_recording() for s in our_spans] == [s.is_recording() for s in their_spans]


def test_a_finished_span_is_timed_in_order() -> None:
    (sql, server), _ = run(app, ALWAYS_ON, None, [], raises=False)
    assert sql.start_time and sql.end_time and server.start_time and server.end_time
    assert server.start_time <= sql.start_time <= sql.end_time <= server.end_time


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("OTEL_TRACES_SAMPLER", "always_off"),
        ("OTEL_TRACES_SAMPLER", "parentbased_always_off"),
        ("OTEL_SDK_DISABLED", "true"),
    ],
)
def test_the_environment_can_turn_the_spans_off(
    variable: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    kept = Kept()
    tracer = spans.Tracer(TracerProvider(shutdown_on_exit=False), kept, "app")
    span = tracer.start_span("GET")
    span.end()
    assert not span.is_recording() and kept.spans == []
