"""The export's body: `encode_spans` writes the message the OTLP exporter's own encoder builds,
for every kind of span the SDK can hand it (attributes of each type, events, links, status,
trace state, remote parents, several resources and scopes)."""

from collections.abc import Sequence
from typing import TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry.attributes import BoundedAttributes
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans as library
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.trace.export import SpanExportResult
from opentelemetry.sdk.util import BoundedList
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode, TraceState
from opentelemetry.util.types import Attributes

from app.observability.otlp import encode_spans
from app.observability.tracing import OTLPSpanExporter, traces_url
from devtools import otlp_receiver

T = TypeVar("T")
INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
TEXT = st.text(max_size=150)  # past 127 bytes, a length takes two bytes
PRIMITIVES = st.one_of(st.booleans(), TEXT, INT64, st.floats(allow_nan=False))
# What an attribute can hold on the wire (AnyValue), nested too: more than the SDK lets a span
# keep, as another SDK part (or a later version) may hand the exporter.
VALUES = st.recursive(
    st.one_of(PRIMITIVES, st.binary(max_size=9), st.none()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(tuple), st.dictionaries(TEXT, inner, max_size=3)
    ),
    max_leaves=6,
)
TIMES = st.integers(min_value=1, max_value=2**64 - 1)
TRACE_STATES = st.lists(
    st.tuples(st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True), st.sampled_from("ab1")),
    max_size=2,
    unique_by=lambda pair: pair[0],
).map(TraceState)
RESOURCES = [Resource.create({"service.name": "todo-api"}), Resource({"k": 1}, "https://s")]
CONTEXT = SpanContext(trace_id=1, span_id=2, is_remote=False)
SCOPES = [InstrumentationScope("app"), InstrumentationScope("db", "1.0", "https://s"), None]


@st.composite
def attributes(draw: st.DrawFn) -> Attributes:
    """A plain mapping, or the SDK's BoundedAttributes past its limit (some dropped)."""
    if draw(st.booleans()):
        return draw(st.dictionaries(TEXT, VALUES, max_size=4))
    kept = draw(st.dictionaries(TEXT, PRIMITIVES, max_size=4))
    return BoundedAttributes(maxlen=draw(st.integers(0, 3)), attributes=kept)


def bounded(items: st.SearchStrategy[T]) -> st.SearchStrategy[Sequence[T]]:
    """A plain list, or the SDK's BoundedList past its limit (some dropped)."""
    plain = st.lists(items, max_size=2)
    return plain | st.builds(BoundedList.from_seq, st.integers(0, 1), plain)


@st.composite
def contexts(draw: st.DrawFn) -> SpanContext:
    return SpanContext(
        trace_id=draw(st.integers(min_value=1, max_value=2**128 - 1)),
        span_id=draw(st.integers(min_value=1, max_value=2**64 - 1)),
        is_remote=draw(st.booleans()),
        trace_state=draw(TRACE_STATES),
    )


SPANS = st.builds(
    ReadableSpan,
    name=TEXT,
    context=contexts(),
    parent=st.none() | contexts(),
    resource=st.sampled_from(RESOURCES),
    attributes=attributes(),
    events=bounded(st.builds(Event, name=TEXT, attributes=attributes(), timestamp=TIMES)),
    links=bounded(st.builds(Link, context=contexts(), attributes=attributes())),
    kind=st.sampled_from(SpanKind),
    status=st.builds(Status, st.sampled_from(StatusCode), st.none() | TEXT),
    start_time=TIMES,
    end_time=TIMES,
    instrumentation_scope=st.sampled_from(SCOPES),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(SPANS, max_size=6))
def test_a_batch_is_the_message_the_library_builds(batch: list[ReadableSpan]) -> None:
    assert ExportTraceServiceRequest.FromString(encode_spans(batch)) == library(batch)


def test_the_exporter_sends_that_message() -> None:
    batch = [ReadableSpan(name="GET /tasks", context=CONTEXT, start_time=1, end_time=2)] * 3
    with otlp_receiver() as received:
        exporter = OTLPSpanExporter(endpoint=traces_url(received.url))
        assert exporter.export(batch) is SpanExportResult.SUCCESS
        assert exporter.export(batch) is SpanExportResult.SUCCESS
        exporter.shutdown()  # type: ignore[no-untyped-call]
        assert exporter.export(batch) is SpanExportResult.FAILURE
    assert [ExportTraceServiceRequest.FromString(body) for body in received.bodies] == [
        library(batch)
    ] * 2
    # One connection for both, as with a collector: the receiver B12 exports to keeps it open.
    assert received.connections == 1


def test_a_batch_too_large_or_not_encodable_fails_alone_unsent() -> None:
    batch = [ReadableSpan(name="GET /tasks", context=CONTEXT, start_time=1, end_time=2)]
    # An attribute the SDK's checks would have kept out: encode_spans has no value for it.
    unencodable = [
        ReadableSpan(
            name="GET /tasks",
            context=CONTEXT,
            start_time=1,
            end_time=2,
            attributes={"odd": object()},  # type: ignore[dict-item]
        )
    ]
    with otlp_receiver() as received:
        small = OTLPSpanExporter(endpoint=traces_url(received.url), max_request_size=10)
        assert small.export(batch) is SpanExportResult.FAILURE
        exporter = OTLPSpanExporter(endpoint=traces_url(received.url))
        assert exporter.export(unencodable) is SpanExportResult.FAILURE
        # The exporter is still of use after either.
        assert exporter.export(batch) is SpanExportResult.SUCCESS
    assert [ExportTraceServiceRequest.FromString(body) for body in received.bodies] == [
        library(batch)
    ]
