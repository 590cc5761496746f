import "server-only";
import { getApiUrl, getAuthUrl } from "./config";

/** A year, twice: what browsers' HSTS preload lists ask for. */
const HSTS_MAX_AGE_SECONDS = 2 * 365 * 24 * 60 * 60;

export interface PagePolicy {
  /** This response's nonce: only scripts carrying it (and what they load) run. */
  nonce: string;
  /** The API's origin when it is another one than the pages'; none for a path (same origin). */
  apiOrigin: string | null;
  /** `next dev` evaluates code for its error overlay and fast refresh. */
  development: boolean;
}

export function contentSecurityPolicy({ nonce, apiOrigin, development }: PagePolicy): string {
  const directives = [
    "default-src 'self'",
    // 'strict-dynamic': the scripts Next.js renders carry the nonce, and the chunks they load are trusted through them.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    // React writes style attributes; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    // data: for the two-factor QR code.
    "img-src 'self' data: blob:",
    "font-src 'self'",
    // The service worker (public/sw.js): under 'strict-dynamic', script-src would ignore 'self'.
    "worker-src 'self'",
    "manifest-src 'self'",
    `connect-src 'self'${apiOrigin ? ` ${apiOrigin}` : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  return directives.join("; ");
}

/** The API's origin as the browser calls it, when NEXT_PUBLIC_API_URL names another origin. */
function apiOrigin(): string | null {
  const api = getApiUrl();
  return api.startsWith("/") ? null : new URL(api).origin;
}

/** The headers each page answers with, from the settings read now (one build serves any). */
export function pageSecurityHeaders(nonce: string): Record<string, string> {
  const headers: Record<string, string> = {
    "Content-Security-Policy": contentSecurityPolicy({ nonce, apiOrigin: apiOrigin(), development: process.env.NODE_ENV === "development" }),
  };
  if (new URL(getAuthUrl()).protocol === "https:") {
    headers["Strict-Transport-Security"] = `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`;
  }
  return headers;
}
