export const DEFAULT_AFTER_LOGIN = "/tasks";

/**
 * Turns a user-supplied `next` value into a same-origin path, falling back to
 * the tasks page. Rejects absolute and protocol-relative URLs (`//evil`,
 * `/\evil`) so the login page cannot be used as an open redirect.
 */
export function safeNextPath(raw: string | null | undefined, fallback = DEFAULT_AFTER_LOGIN): string {
  if (!raw || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return fallback;
  // Control characters and backslashes are normalised by browsers in surprising ways.
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) return fallback;
  const base = "http://same-origin.invalid";
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base) return fallback;
  // The auth pages forward signed-in users to `next`; pointing back at them would loop.
  if (/^\/(auth|api)(\/|$)/.test(url.pathname)) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** `path` carrying where to go afterwards; slashes stay readable (`?next=/tasks`). */
export function withNext(path: string, next: string): string {
  return `${path}?next=${encodeURIComponent(next).replace(/%2F/gi, "/")}`;
}
