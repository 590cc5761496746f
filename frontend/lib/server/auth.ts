import "server-only";
import { betterAuth } from "better-auth";
import { buildAuthOptions } from "./auth-options";
import { getServerConfig } from "./config";

function createAuth() {
  return betterAuth(buildAuthOptions(getServerConfig()));
}

export type Auth = ReturnType<typeof createAuth>;

let instance: Auth | undefined;

/**
 * The Better-Auth server, created on first use rather than at import so that
 * `next build` does not need the secret or a database.
 */
export function getAuth(): Auth {
  instance ??= createAuth();
  return instance;
}

/** The signed-in user for these request headers, or null. */
export async function getSessionUser(headers: Headers) {
  const session = await getAuth().api.getSession({ headers });
  return session?.user ?? null;
}
