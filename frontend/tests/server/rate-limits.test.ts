import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { betterAuth } from "better-auth";
import { afterAll, describe, expect, it, vi } from "vitest";
import { buildAuthOptions } from "@/lib/server/auth-options";
import { migrateAuthSchema } from "@/lib/server/auth-schema";
import { getServerConfig } from "@/lib/server/config";
import { AUTH_SECRET, AUTH_URL } from "../helpers/real-auth";

// Better-Auth limits only in production; here it is switched on, with the app's own rules.
const dir = mkdtempSync(path.join(tmpdir(), "rate-limits-"));

afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

async function limitedAuth() {
  vi.stubEnv("BETTER_AUTH_SECRET", AUTH_SECRET);
  vi.stubEnv("BETTER_AUTH_URL", AUTH_URL);
  vi.stubEnv("DATABASE_URL", "");
  vi.stubEnv("AUTH_SQLITE_PATH", path.join(dir, "auth.sqlite"));
  vi.stubEnv("MAIL_OUTBOX_DIR", path.join(dir, "outbox"));
  vi.stubEnv("AUTH_SIGNIN_ATTEMPTS_PER_10S", "2");
  const options = buildAuthOptions(getServerConfig());
  const auth = betterAuth({ ...options, rateLimit: { ...options.rateLimit, enabled: true } });
  await migrateAuthSchema(auth.options);
  return auth;
}

describe("the password-reset endpoints", () => {
  it.each(["/request-password-reset", "/reset-password"])("%s allows as many attempts per client as sign-in", async (route) => {
    const auth = await limitedAuth();
    const attempt = (ip: string) =>
      auth.handler(
        new Request(`${AUTH_URL}/api/auth${route}`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Origin: AUTH_URL, "X-Forwarded-For": ip },
          body: JSON.stringify({ email: "nobody@example.com", token: "no-such-token", newPassword: "long enough password" }),
        }),
      );
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await attempt("203.0.113.1")).status);
    expect(statuses.slice(0, 2)).not.toContain(429);
    expect(statuses[2]).toBe(429);
    // Another client is not held back.
    expect((await attempt("203.0.113.2")).status).not.toBe(429);
  });
});

describe("where the attempts are counted", () => {
  it("is PostgreSQL on PostgreSQL, so every web server behind the balancer counts the same ones", async () => {
    vi.stubEnv("BETTER_AUTH_SECRET", AUTH_SECRET);
    vi.stubEnv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none");
    const options = buildAuthOptions(getServerConfig());
    expect(options.rateLimit.storage).toBe("database");
    // The pool connects on first use: nothing to close but the pool itself.
    await (options.database as { end(): Promise<void> }).end();
  });

  it("is the process's memory on SQLite, which one server alone uses", async () => {
    const auth = await limitedAuth();
    expect(auth.options.rateLimit.storage).toBe("memory");
  });
});
