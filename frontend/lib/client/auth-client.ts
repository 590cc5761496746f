/**
 * The browser's Better-Auth client (the official one from better-auth/react):
 * sign-up, sign-in and sign-out against /api/auth/*, the session hook, the
 * account calls and the two-factor plugin's. It holds no secret;
 * `npm run check:bundle` proves none reaches the browser.
 */
import { createAuthClient } from "better-auth/react";
import { twoFactorClient } from "better-auth/client/plugins";
import type { AuthFailure } from "./auth-errors";

// Same origin: the client calls /api/auth/* on the page's own host. A sign-in that needs a
// second factor answers `twoFactorRedirect`; the login form sends the user to /auth/two-factor
// itself, keeping where they were going.
export const authClient = createAuthClient({ plugins: [twoFactorClient()] });

export interface AuthOutcome<T> {
  data: T | null;
  error: AuthFailure | null;
}

/**
 * Awaits a client call (e.g. `authClient.signIn.email(…)`) and returns its
 * data or its error. The client answers HTTP errors with an error object but
 * throws when no answer came at all; that becomes status 0.
 */
export async function authCall<T>(call: Promise<{ data: T | null; error: AuthFailure | null }>): Promise<AuthOutcome<T>> {
  try {
    const { data, error } = await call;
    return { data: error ? null : data, error };
  } catch {
    return { data: null, error: { status: 0 } };
  }
}

/** The error of a client call, or null on success (see authCall). */
export async function authFailure(call: Promise<{ error: AuthFailure | null }>): Promise<AuthFailure | null> {
  try {
    return (await call).error;
  } catch {
    return { status: 0 };
  }
}
