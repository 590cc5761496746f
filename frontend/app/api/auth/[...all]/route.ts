import { getAuth } from "@/lib/server/auth";
import { withTrustedClientIp } from "@/lib/server/client-ip";
import { getServerConfig } from "@/lib/server/config";

export const dynamic = "force-dynamic";

// Better-Auth's own endpoints (sign-up, sign-in, sign-out, session). The auth
// instance is resolved per request so it, and its secret, exist only when serving.
// Its rate limits and session records key on the client's address: only a forwarded
// address the load balancer vouches for reaches it.
function handle(request: Request): Promise<Response> {
  return getAuth().handler(withTrustedClientIp(request, getServerConfig().balancerSecret));
}

export { handle as GET, handle as POST };
