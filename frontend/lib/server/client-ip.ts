import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";

/** The header the load balancer proves itself with (deploy/haproxy.cfg sets it). */
export const BALANCER_SECRET_HEADER = "x-balancer-secret";
const FORWARDED_FOR = "x-forwarded-for";

function sameSecret(given: string, expected: string): boolean {
  // Hashing first gives equal lengths, so the comparison leaks neither the secret nor its length.
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The headers Better-Auth may read the client's address from. Route handlers get no socket
 * address: `next start` puts it in X-Forwarded-For, but only when the client sent none.
 * Behind the balancer (BALANCER_SECRET set), X-Forwarded-For is the address the balancer
 * saw, and it is kept only when the request carries the balancer's secret; a request that
 * reached a web server around the balancer names no address. Without a balancer, what
 * `next start` gives is kept as it is. The secret itself goes no further either way.
 */
export function trustedClientHeaders(headers: Headers, balancerSecret: string | undefined): Headers {
  const trusted = new Headers(headers);
  const given = trusted.get(BALANCER_SECRET_HEADER);
  trusted.delete(BALANCER_SECRET_HEADER);
  if (balancerSecret && (given === null || !sameSecret(given, balancerSecret))) trusted.delete(FORWARDED_FOR);
  return trusted;
}

/** The request as Better-Auth should see it: the same, with only trusted address headers. */
export function withTrustedClientIp(request: Request, balancerSecret: string | undefined): Request {
  return new Request(request, { headers: trustedClientHeaders(request.headers, balancerSecret) });
}
