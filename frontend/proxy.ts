import { NextResponse, type NextRequest } from "next/server";
import { pageSecurityHeaders } from "./lib/server/security-headers";

/**
 * A fresh nonce per response for the Content-Security-Policy. Next.js reads the policy from the
 * request headers and puts the nonce on the scripts it renders, so it goes both ways.
 */
export function proxy(request: NextRequest): NextResponse {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const security = pageSecurityHeaders(nonce);
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("Content-Security-Policy", security["Content-Security-Policy"]);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [name, value] of Object.entries(security)) response.headers.set(name, value);
  return response;
}

export const config = {
  // Not the build's static files: they run no policy of their own and carry no nonce.
  matcher: [{ source: "/((?!_next/static|_next/image).*)" }],
};
