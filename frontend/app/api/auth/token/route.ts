import { getSessionUser } from "@/lib/server/auth";
import { getServerConfig } from "@/lib/server/config";
import { hashUserId, log, requestIdOf } from "@/lib/server/log";
import { signAccessToken } from "@/lib/server/token";

export const dynamic = "force-dynamic";

const ROUTE = "/api/auth/token";

/** Exchanges the Better-Auth session cookie for a short-lived backend token. */
export async function GET(request: Request): Promise<Response> {
  const started = performance.now();
  const requestId = requestIdOf(request.headers);
  const headers = { "Cache-Control": "no-store", "X-Request-ID": requestId };
  const { authSecret, tokenTtlSeconds, tokenAudience } = getServerConfig();
  const user = await getSessionUser(request.headers);
  const status = user ? 200 : 401;
  // The line names the request and a hash of the user, never the token or the cookie.
  log("info", `GET ${ROUTE} ${status}`, {
    request_id: requestId,
    method: "GET",
    route: ROUTE,
    status,
    duration_ms: Math.round((performance.now() - started) * 100) / 100,
    ...(user ? { user: hashUserId(user.id, authSecret) } : {}),
  });
  if (!user) {
    return Response.json({ error: "not signed in" }, { status: 401, headers });
  }
  const token = await signAccessToken(user.id, { secret: authSecret, ttlSeconds: tokenTtlSeconds, audience: tokenAudience });
  return Response.json(token, { headers });
}
