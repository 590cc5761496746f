import { getAuth } from "@/lib/server/auth";

export const dynamic = "force-dynamic";

// Better-Auth's own endpoints (sign-up, sign-in, sign-out, session). The auth
// instance is resolved per request so it, and its secret, exist only when serving.
function handle(request: Request): Promise<Response> {
  return getAuth().handler(request);
}

export { handle as GET, handle as POST };
