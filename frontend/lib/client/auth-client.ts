/**
 * Browser calls to Better-Auth's own endpoints (/api/auth/*).
 *
 * Deliberately not `better-auth/react`: that client bundles Better-Auth's env
 * reader, which puts the string BETTER_AUTH_SECRET into browser code and would
 * fail the bundle check. These three JSON calls are all the UI needs.
 */
import type { AuthFailure } from "./auth-errors";

export interface AuthResult {
  error: AuthFailure | null;
}

async function post(path: string, body: Record<string, string>): Promise<AuthResult> {
  let response: Response;
  try {
    response = await fetch(`/api/auth${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body),
    });
  } catch {
    return { error: { status: 0 } };
  }
  if (response.ok) return { error: null };
  const detail = (await response.json().catch(() => null)) as { code?: unknown; message?: unknown } | null;
  return {
    error: {
      status: response.status,
      code: typeof detail?.code === "string" ? detail.code : undefined,
      message: typeof detail?.message === "string" ? detail.message : undefined,
    },
  };
}

export const authClient = {
  signUp: (credentials: { name: string; email: string; password: string }) => post("/sign-up/email", credentials),
  signIn: (credentials: { email: string; password: string }) => post("/sign-in/email", credentials),
  signOut: () => post("/sign-out", {}),
};
