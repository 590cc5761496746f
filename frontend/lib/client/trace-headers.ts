/**
 * The headers that let one browser call be followed through the servers: a W3C `traceparent`
 * (a new trace, sampled) and an `X-Request-ID` equal to its trace id, so the API's log line,
 * its trace and the browser's request name the same 32 hex digits.
 */
function randomHex(bytes: number): string {
  const values = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(values, (value) => value.toString(16).padStart(2, "0")).join("");
}

export function traceHeaders(): { "X-Request-ID": string; traceparent: string } {
  const traceId = randomHex(16);
  return { "X-Request-ID": traceId, traceparent: `00-${traceId}-${randomHex(8)}-01` };
}
