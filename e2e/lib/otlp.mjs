// A minimal OTLP/HTTP trace receiver for the tests: what the servers' exporters post to
// /v1/traces (protobuf, as the Python exporter sends; or JSON), kept as plain spans.
import http from "node:http";
import { gunzipSync } from "node:zlib";

/** The fields of a protobuf message: [field number, wire type, value (a Buffer for bytes/messages)]. */
function* fields(buffer) {
  let at = 0;
  const varint = () => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = buffer[at++];
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < buffer.length) {
    const key = Number(varint());
    const [number, type] = [key >> 3, key & 7];
    if (type === 0) yield [number, type, varint()];
    else if (type === 1) (yield [number, type, buffer.subarray(at, at + 8)], (at += 8));
    else if (type === 5) (yield [number, type, buffer.subarray(at, at + 4)], (at += 4));
    else if (type === 2) {
      const length = Number(varint());
      yield [number, type, buffer.subarray(at, at + length)];
      at += length;
    } else throw new Error(`unexpected protobuf wire type ${type}`);
  }
}

const children = (buffer, wanted) => [...fields(buffer)].filter(([number]) => number === wanted).map(([, , value]) => value);

/** KeyValue { key = 1; AnyValue value = 2 { string_value = 1 } } */
function attributes(buffers) {
  return Object.fromEntries(
    buffers.map((kv) => {
      const key = children(kv, 1)[0].toString();
      const [value] = children(kv, 2);
      const [text] = value ? children(value, 1) : [];
      return [key, text ? text.toString() : ""];
    }),
  );
}

/** ExportTraceServiceRequest → ResourceSpans(1) → {Resource(1), ScopeSpans(2) → Span(2)}. */
function protobufSpans(body) {
  const spans = [];
  for (const resourceSpans of children(body, 1)) {
    const [resource] = children(resourceSpans, 1);
    const service = resource ? attributes(children(resource, 1))["service.name"] : undefined;
    for (const scopeSpans of children(resourceSpans, 2)) {
      for (const span of children(scopeSpans, 2)) {
        // Span { trace_id = 1; span_id = 2; parent_span_id = 4; name = 5; attributes = 9 }
        spans.push({
          service,
          traceId: children(span, 1)[0].toString("hex"),
          spanId: children(span, 2)[0].toString("hex"),
          parentId: (children(span, 4)[0] ?? Buffer.alloc(0)).toString("hex"),
          name: children(span, 5)[0]?.toString() ?? "",
          attributes: attributes(children(span, 9)),
        });
      }
    }
  }
  return spans;
}

function jsonSpans(body) {
  const value = (any) => any?.stringValue ?? String(any?.intValue ?? "");
  return (JSON.parse(body.toString()).resourceSpans ?? []).flatMap((resourceSpans) => {
    const resource = Object.fromEntries((resourceSpans.resource?.attributes ?? []).map((a) => [a.key, value(a.value)]));
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        service: resource["service.name"],
        traceId: span.traceId.toLowerCase(),
        spanId: span.spanId.toLowerCase(),
        parentId: (span.parentSpanId ?? "").toLowerCase(),
        name: span.name,
        attributes: Object.fromEntries((span.attributes ?? []).map((a) => [a.key, value(a.value)])),
      })),
    );
  });
}

export async function startOtlpReceiver(host = "127.0.0.1") {
  const spans = [];
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      let body = Buffer.concat(chunks);
      if (request.headers["content-encoding"] === "gzip") body = gunzipSync(body);
      if (request.url === "/v1/traces") {
        const json = (request.headers["content-type"] ?? "").includes("json");
        spans.push(...(json ? jsonSpans(body) : protobufSpans(body)));
      }
      // An empty ExportTraceServiceResponse either way.
      response.writeHead(200, { "Content-Type": request.headers["content-type"] ?? "application/x-protobuf" });
      response.end(request.headers["content-type"]?.includes("json") ? "{}" : "");
    });
  });
  await new Promise((resolve) => server.listen(0, host, resolve));
  return {
    url: `http://${host}:${server.address().port}`,
    spans,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
