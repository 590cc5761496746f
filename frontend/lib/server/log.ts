import "server-only";
import { createHmac } from "node:crypto";
import { format } from "node:util";

/**
 * The web server's log lines: plain text by default, one JSON object per line with
 * LOG_FORMAT=json (what the API writes too: time, level, message, and a request's
 * request_id, method, route, status, duration_ms). No line carries a token, cookie, password
 * or email (`redact` blanks any that slip into a message); a user id only as the keyed hash
 * the API uses too, so one user's lines can be followed across both without naming them.
 */

type Level = "debug" | "info" | "warning" | "error";
export interface RequestFields {
  request_id: string;
  method: string;
  route: string;
  status: number;
  duration_ms: number;
  user?: string;
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
const REDACTIONS: [RegExp, string][] = [
  [/\bbearer\s+\S+/gi, "Bearer [redacted]"],
  [/eyJ[\w-]*\.[\w-]*\.?[\w-]*/g, "[token]"],
  [/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, "[email]"],
  [/\b(password|cookie|secret|token)("?\s*[:=]\s*)\S+/gi, "$1$2[redacted]"],
];

export function redact(text: string): string {
  return REDACTIONS.reduce((result, [pattern, replacement]) => result.replace(pattern, replacement), text);
}

/** The request's X-Request-ID when it is safe to echo and log, else a new one. */
export function requestIdOf(headers: Headers): string {
  const given = headers.get("x-request-id");
  return given !== null && SAFE_REQUEST_ID.test(given) ? given : crypto.randomUUID().replaceAll("-", "");
}

/** HMAC-SHA256 (16 hex digits) of the user id under a key derived from the secret: the API's rule. */
export function hashUserId(userId: string, secret: string): string {
  const key = createHmac("sha256", secret).update("todo-api log user id").digest();
  return createHmac("sha256", key).update(userId).digest("hex").slice(0, 16);
}

function jsonLogs(): boolean {
  return process.env["LOG_FORMAT"]?.trim() === "json";
}

export function log(level: Level, message: string, fields: Partial<RequestFields> = {}): void {
  const text = redact(message);
  // Straight to the streams: the console may be this module's own (installJsonConsole).
  const stream = level === "error" || level === "warning" ? process.stderr : process.stdout;
  if (jsonLogs()) {
    stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, message: text, ...fields })}\n`);
    return;
  }
  const extra = Object.entries(fields).map(([name, value]) => `${name}=${String(value)}`);
  stream.write(`${[`[todo] ${text}`, ...extra].join(" ")}\n`);
}

/** With LOG_FORMAT=json, every console line of the server (Next's own included) becomes a JSON line. */
export function installJsonConsole(): void {
  if (!jsonLogs()) return;
  const levels: [keyof Console, Level][] = [
    ["debug", "debug"],
    ["log", "info"],
    ["info", "info"],
    ["warn", "warning"],
    ["error", "error"],
  ];
  for (const [method, level] of levels) {
    Object.assign(console, { [method]: (...args: unknown[]) => log(level, format(...args)) });
  }
}
