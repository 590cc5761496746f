import { getSessionUser } from "@/lib/server/auth";
import { getServerConfig } from "@/lib/server/config";
import { signAccessToken } from "@/lib/server/token";

export const dynamic = "force-dynamic";

const NO_STORE = { "Cache-Control": "no-store" };

/** Exchanges the Better-Auth session cookie for a short-lived backend token. */
export async function GET(request: Request): Promise<Response> {
  const user = await getSessionUser(request.headers);
  if (!user) {
    return Response.json({ error: "not signed in" }, { status: 401, headers: NO_STORE });
  }
  const { authSecret, tokenTtlSeconds, tokenAudience } = getServerConfig();
  const token = await signAccessToken(user.id, { secret: authSecret, ttlSeconds: tokenTtlSeconds, audience: tokenAudience });
  return Response.json(token, { headers: NO_STORE });
}
