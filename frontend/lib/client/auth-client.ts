/**
 * The browser's Better-Auth client (the official one from better-auth/react):
 * sign-up, sign-in and sign-out against /api/auth/*, and the session hook.
 * It holds no secret; `npm run check:bundle` proves none reaches the browser.
 */
import { createAuthClient } from "better-auth/react";
import type { AuthFailure } from "./auth-errors";

// Same origin: the client calls /api/auth/* on the page's own host.
export const authClient = createAuthClient();

/**
 * Awaits a client call (e.g. `authClient.signIn.email(…)`) and returns its
 * error, or null on success. The client answers HTTP errors with an error
 * object but throws when no answer came at all; that becomes status 0.
 */
export async function authFailure(call: Promise<{ error: AuthFailure | null }>): Promise<AuthFailure | null> {
  try {
    return (await call).error;
  } catch {
    return { status: 0 };
  }
}
