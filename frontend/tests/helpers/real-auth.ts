import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, vi } from "vitest";
import type { Auth } from "@/lib/server/auth";

export const AUTH_SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
export const AUTH_URL = "http://localhost:3000";

/**
 * A real Better-Auth server on a throwaway SQLite file, built before the
 * calling file's tests and removed after them, so tests see genuine sessions
 * and error codes rather than mocks. `env` adds settings (e.g. the token TTL).
 * Modules imported in later beforeAll hooks share this server's instance.
 */
export interface RealAuthServer {
  auth: () => Auth;
  /** A JSON POST to one of Better-Auth's routes, as a same-origin browser sends it. */
  post: (route: string, body: unknown) => Promise<{ status: number; body: Record<string, unknown> }>;
}

export function realAuthServer(env: Record<string, string> = {}): RealAuthServer {
  let tempDir: string | undefined;
  let auth: Auth | undefined;

  beforeAll(async () => {
    tempDir = mkdtempSync(path.join(tmpdir(), "real-auth-"));
    const settings: Record<string, string> = {
      BETTER_AUTH_SECRET: AUTH_SECRET,
      BETTER_AUTH_URL: AUTH_URL,
      AUTH_SQLITE_PATH: path.join(tempDir, "auth.sqlite"),
      DATABASE_URL: "",
      JWT_AUDIENCE: "",
      ...env,
    };
    for (const [name, value] of Object.entries(settings)) vi.stubEnv(name, value);
    vi.resetModules();
    const { getAuth } = await import("@/lib/server/auth");
    const { migrateAuthSchema } = await import("@/lib/server/auth-schema");
    auth = getAuth();
    await migrateAuthSchema(auth.options);
  });

  afterAll(() => {
    vi.unstubAllEnvs();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  const built = (): Auth => {
    if (!auth) throw new Error("the auth server is built in beforeAll; use it inside tests");
    return auth;
  };
  return {
    auth: built,
    post: async (route, body) => {
      const response = await built().handler(
        new Request(`${AUTH_URL}/api/auth${route}`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Origin: AUTH_URL },
          body: JSON.stringify(body),
        }),
      );
      return { status: response.status, body: await response.json() };
    },
  };
}
