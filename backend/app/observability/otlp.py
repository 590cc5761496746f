"""A batch of finished spans as the body of an OTLP/HTTP export (an ExportTraceServiceRequest
in protobuf's wire format), written straight from the spans.

The exporter's own encoder (opentelemetry-exporter-otlp-proto-common) builds a protobuf
message object for every span, attribute and value, then serializes the tree, and groups the
spans by hashing their resource, whose hash dumps its attributes to JSON: for every span. That
was half the CPU a traced request cost (B12; bench/trace_cost.py). Here each span is written
as bytes in one pass, and only the batch's envelope (its resources and instrumentation scopes,
a few per batch) goes through the library's messages. The output parses to the same message
the library builds (tests/observability/test_otlp.py checks it field for field).
"""

import struct
from collections.abc import Iterable, Mapping, Sequence

from opentelemetry.exporter.otlp.proto.common._internal import (
    _encode_instrumentation_scope,
    _encode_resource,
)
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import SpanContext

_FIXED64 = struct.Struct("<Q").pack
_DOUBLE = struct.Struct("<d").pack
_FIXED32 = struct.Struct("<I").pack
_INT64 = 0xFFFFFFFFFFFFFFFF  # a negative int64 is written as its two's complement

# Field keys: (field number << 3) | wire type (0 varint, 1 fixed64, 2 length-delimited,
# 5 fixed32), from opentelemetry/proto/trace/v1/trace.proto and common/v1/common.proto.
_SPAN = b"\x12"  # ScopeSpans.spans
_SCOPE_SPANS = b"\x12"  # ResourceSpans.scope_spans
_RESOURCE_SPANS = b"\x0a"  # ExportTraceServiceRequest.resource_spans
_ITEM = b"\x0a"  # ArrayValue.values, KeyValueList.values
# The span's kind, SDK SpanKind (INTERNAL = 0 … CONSUMER = 4) to the proto's (INTERNAL = 1 …).
_KINDS = tuple(b"\x30" + bytes((kind + 1,)) for kind in range(5))
# Span.flags: the parent's "is remote" is known (bit 8), and set (bit 9) when it is.
_FLAGS_LOCAL = b"\x85\x01" + _FIXED32(0x100)
_FLAGS_REMOTE = b"\x85\x01" + _FIXED32(0x300)


# Most lengths and counts are below 128: one byte each, from this table.
_SMALL = tuple(bytes((number,)) for number in range(0x80))


def _varint(number: int) -> bytes:
    if number < 0x80:
        return _SMALL[number]
    out = bytearray()
    while number >= 0x80:
        out.append((number & 0x7F) | 0x80)
        number >>= 7
    out.append(number)
    return bytes(out)


def _field(key: bytes, payload: bytes) -> bytes:
    """A length-delimited field: a string, bytes or an embedded message."""
    return key + _varint(len(payload)) + payload


def _any_value(value: object) -> bytes:
    """An AnyValue message's content. Its fields are a oneof: the one set is written even when
    it holds the default (0, False, "")."""
    if isinstance(value, str):
        return _field(b"\x0a", value.encode())
    if isinstance(value, bool):
        return b"\x10\x01" if value else b"\x10\x00"
    if isinstance(value, int):
        return b"\x18" + _varint(value & _INT64)
    if isinstance(value, float):
        return b"\x21" + _DOUBLE(value)
    if value is None:
        return b""
    if isinstance(value, bytes):
        return _field(b"\x3a", value)
    if isinstance(value, Sequence):
        return _field(b"\x2a", b"".join(_field(_ITEM, _any_value(item)) for item in value))
    if isinstance(value, Mapping):
        return _field(b"\x32", _key_values(_ITEM, value))
    raise TypeError(f"an attribute of type {type(value).__name__} has no OTLP value")


def _key_values(key: bytes, attributes: Mapping[str, object]) -> bytes:
    """Each attribute as a KeyValue message in field `key`."""
    out = []
    for name, value in attributes.items():
        encoded = str(name).encode()
        pair = b"\x0a" + _varint(len(encoded)) + encoded + _field(b"\x12", _any_value(value))
        out.append(key + _varint(len(pair)) + pair)
    return b"".join(out)


def _trace_state(context: SpanContext) -> str:
    return ",".join(f"{key}={value}" for key, value in context.trace_state.items())


def _span(span: ReadableSpan) -> bytes:
    """A Span message (proto3: a field at its default value is left out)."""
    context, parent, name = span.context, span.parent, span.name.encode()
    assert context is not None and span.start_time is not None and span.end_time is not None
    parts = [
        b"\x0a\x10",
        context.trace_id.to_bytes(16, "big"),
        b"\x12\x08",
        context.span_id.to_bytes(8, "big"),
    ]
    if context.trace_state:
        parts.append(_field(b"\x1a", _trace_state(context).encode()))
    if parent is not None:
        parts += (b"\x22\x08", parent.span_id.to_bytes(8, "big"))
    if name:
        parts += (b"\x2a", _varint(len(name)), name)
    parts += (
        _KINDS[span.kind.value],
        b"\x39",
        _FIXED64(span.start_time),
        b"\x41",
        _FIXED64(span.end_time),
    )
    attributes = span.attributes
    if attributes:
        parts.append(_key_values(b"\x4a", attributes))
    if span.dropped_attributes:
        parts += (b"\x50", _varint(span.dropped_attributes))
    for event in span.events:
        fields = b"\x09" + _FIXED64(event.timestamp) + _field(b"\x12", event.name.encode())
        if event.attributes:
            fields += _key_values(b"\x1a", event.attributes)
        if event.dropped_attributes:
            fields += b"\x20" + _varint(event.dropped_attributes)
        parts.append(_field(b"\x5a", fields))
    if span.dropped_events:
        parts += (b"\x60", _varint(span.dropped_events))
    for link in span.links:
        linked = link.context
        # (No trace state: the library's encoder writes none for a link either.)
        fields = (
            b"\x0a\x10"
            + linked.trace_id.to_bytes(16, "big")
            + b"\x12\x08"
            + linked.span_id.to_bytes(8, "big")
        )
        if link.attributes:
            fields += _key_values(b"\x22", link.attributes)
        if link.dropped_attributes:
            fields += b"\x28" + _varint(link.dropped_attributes)
        fields += b"\x35" + _FIXED32(0x300 if linked.is_remote else 0x100)
        parts.append(_field(b"\x6a", fields))
    if span.dropped_links:
        parts += (b"\x70", _varint(span.dropped_links))
    status = span.status
    status_fields = _field(b"\x12", status.description.encode()) if status.description else b""
    if status.status_code.value:
        status_fields += b"\x18" + _varint(status.status_code.value)
    parts += (b"\x7a", _varint(len(status_fields)), status_fields)
    parts.append(_FLAGS_REMOTE if parent is not None and parent.is_remote else _FLAGS_LOCAL)
    body = b"".join(parts)
    return _SPAN + _varint(len(body)) + body


def _scope_spans(scope: InstrumentationScope | None, spans: Iterable[ReadableSpan]) -> bytes:
    envelope = ScopeSpans(
        scope=_encode_instrumentation_scope(scope),  # type: ignore[arg-type]  # None is handled
        schema_url=scope.schema_url or "" if scope else "",
    ).SerializeToString()
    return _field(_SCOPE_SPANS, envelope + b"".join(map(_span, spans)))


def encode_spans(spans: Sequence[ReadableSpan]) -> bytes:
    """The ExportTraceServiceRequest of `spans`, grouped by resource, then by scope."""
    # A provider's spans share its resource and their tracer's scope objects: grouped by
    # identity (no hashing), then equal ones merged as the library's grouping by value would.
    groups: dict[tuple[int, int], list[ReadableSpan]] = {}
    for span in spans:
        groups.setdefault((id(span.resource), id(span.instrumentation_scope)), []).append(span)
    by_resource: dict[Resource, dict[InstrumentationScope | None, list[ReadableSpan]]] = {}
    for group in groups.values():
        first = group[0]
        scopes = by_resource.setdefault(first.resource, {})
        scopes.setdefault(first.instrumentation_scope, []).extend(group)
    return b"".join(
        _field(
            _RESOURCE_SPANS,
            ResourceSpans(
                resource=_encode_resource(resource), schema_url=resource.schema_url
            ).SerializeToString()
            + b"".join(_scope_spans(scope, group) for scope, group in scopes.items()),
        )
        for resource, scopes in by_resource.items()
    )
