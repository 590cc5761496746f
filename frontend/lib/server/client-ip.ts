import "server-only";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";

/** The header the load balancer proves itself with (deploy/haproxy.cfg sets it). */
export const BALANCER_SECRET_HEADER = "x-balancer-secret";
const FORWARDED_FOR = "x-forwarded-for";
/** Where this process writes the socket's address, with a stamp only it knows. */
export const SOCKET_ADDRESS_HEADER = "x-todo-socket-address";
// On globalThis: instrumentation and the route handlers are separate bundles of one process.
const STAMP_KEY = Symbol.for("todo.socketAddressStamp");

function processStamp(): string {
  const global = globalThis as { [STAMP_KEY]?: string };
  global[STAMP_KEY] ??= randomBytes(16).toString("hex");
  return global[STAMP_KEY];
}

function sameSecret(given: string, expected: string): boolean {
  // Hashing first gives equal lengths, so the comparison leaks neither the secret nor its length.
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Route handlers never see the socket, and `next start` passes a client's own X-Forwarded-For
 * on unchanged. Node announces every request on this channel before any handler runs: each one
 * gets the socket's address, stamped with this process's random value so that a client cannot
 * write the header itself (one that arrived before the subscription carries no valid stamp).
 */
export function stampSocketAddresses(): void {
  subscribe("http.server.request.start", (message) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    request.headers[SOCKET_ADDRESS_HEADER] = `${processStamp()} ${socket.remoteAddress ?? ""}`;
  });
}

function socketAddress(headers: Headers): string | undefined {
  const [stamp, address] = (headers.get(SOCKET_ADDRESS_HEADER) ?? "").split(" ");
  return stamp && address && sameSecret(stamp, processStamp()) ? address : undefined;
}

/**
 * The headers Better-Auth may read the client's address from. Behind the balancer
 * (BALANCER_SECRET set), X-Forwarded-For is the address the balancer saw, kept only when the
 * request carries the balancer's secret. Any other request, and every request without a
 * balancer, is named by its socket's address: what a client writes in X-Forwarded-For itself
 * never picks a rate-limit bucket. Neither the secret nor the stamp goes any further.
 */
export function trustedClientHeaders(headers: Headers, balancerSecret: string | undefined): Headers {
  const trusted = new Headers(headers);
  const given = trusted.get(BALANCER_SECRET_HEADER);
  const socket = socketAddress(trusted);
  trusted.delete(BALANCER_SECRET_HEADER);
  trusted.delete(SOCKET_ADDRESS_HEADER);
  if (balancerSecret && given !== null && sameSecret(given, balancerSecret)) return trusted;
  if (socket) trusted.set(FORWARDED_FOR, socket);
  else trusted.delete(FORWARDED_FOR);
  return trusted;
}

/** The request as Better-Auth should see it: the same, with only trusted address headers. */
export function withTrustedClientIp(request: Request, balancerSecret: string | undefined): Request {
  return new Request(request, { headers: trustedClientHeaders(request.headers, balancerSecret) });
}
