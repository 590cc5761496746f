import { getAuth } from "@/lib/auth";
import { getServerConfig } from "@/lib/config";
import { signAccessToken } from "@/lib/token";

export const dynamic = "force-dynamic";

const NO_STORE = { "Cache-Control": "no-store" };

/** Exchanges the Better-Auth session cookie for a short-lived backend token. */
export async function GET(request: Request): Promise<Response> {
  const session = await getAuth().api.getSession({ headers: request.headers });
  if (!session) {
    return Response.json({ error: "not signed in" }, { status: 401, headers: NO_STORE });
  }
  const { authSecret, tokenTtlSeconds } = getServerConfig();
  const token = await signAccessToken(session.user.id, { secret: authSecret, ttlSeconds: tokenTtlSeconds });
  return Response.json(token, { headers: NO_STORE });
}
