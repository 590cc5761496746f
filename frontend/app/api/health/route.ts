export const dynamic = "force-dynamic";

/**
 * The load balancer's health check of this web server: it answers once the server is up.
 * It reads no settings and opens no database, so it costs nothing and reveals nothing.
 */
export function GET(): Response {
  return Response.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
}
