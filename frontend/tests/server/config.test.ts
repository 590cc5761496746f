import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, getApiUrl, getServerConfig } from "@/lib/server/config";

const GOOD_SECRET = "x".repeat(32);

afterEach(() => {
  vi.unstubAllEnvs();
});

function withEnv(env: Record<string, string>) {
  for (const name of ["BETTER_AUTH_SECRET", "BETTER_AUTH_URL", "NEXT_PUBLIC_API_URL", "AUTH_TOKEN_TTL_SECONDS", "AUTH_SIGNIN_ATTEMPTS_PER_10S", "DATABASE_URL", "AUTH_SQLITE_PATH", "JWT_AUDIENCE", "SMTP_URL", "MAIL_FROM", "MAIL_OUTBOX_DIR", "REQUIRE_EMAIL_VERIFICATION", "BALANCER_SECRET"]) {
    vi.stubEnv(name, env[name] ?? "");
  }
}

describe("server settings", () => {
  it("uses documented defaults", () => {
    withEnv({ BETTER_AUTH_SECRET: GOOD_SECRET });
    expect(getServerConfig()).toEqual({
      authSecret: GOOD_SECRET,
      authUrl: "http://localhost:3000",
      apiUrl: "http://localhost:8000",
      tokenTtlSeconds: 900,
      tokenAudience: "todo-api",
      signInAttemptsPer10s: 3,
      balancerSecret: undefined,
      database: { kind: "sqlite", file: path.resolve("data/auth.sqlite") },
      requireEmailVerification: false,
      mail: { smtpUrl: undefined, from: "Todo <no-reply@localhost>", outboxDir: path.resolve("data/outbox") },
    });
  });

  it("reads the mail settings and the email verification switch", () => {
    withEnv({ BETTER_AUTH_SECRET: GOOD_SECRET, SMTP_URL: "smtps://u:p@mail.example.com:465", MAIL_FROM: "Todo <todo@example.com>", REQUIRE_EMAIL_VERIFICATION: "true" });
    const config = getServerConfig();
    expect(config.mail).toMatchObject({ smtpUrl: "smtps://u:p@mail.example.com:465", from: "Todo <todo@example.com>" });
    expect(config.requireEmailVerification).toBe(true);
  });

  it("rejects a mail URL that is not SMTP and a switch that is not true or false", () => {
    withEnv({ BETTER_AUTH_SECRET: GOOD_SECRET, SMTP_URL: "http://mail.example.com" });
    expect(() => getServerConfig()).toThrow(/SMTP_URL must look like smtp:\/\//);
    withEnv({ BETTER_AUTH_SECRET: GOOD_SECRET, REQUIRE_EMAIL_VERIFICATION: "yes please" });
    expect(() => getServerConfig()).toThrow(/REQUIRE_EMAIL_VERIFICATION must be true or false/);
  });

  it.each([[""], ["too-short-secret"]])("refuses a missing or short secret (%j) with advice", (secret) => {
    withEnv({ BETTER_AUTH_SECRET: secret });
    expect(() => getServerConfig()).toThrow(ConfigError);
    expect(() => getServerConfig()).toThrow(/BETTER_AUTH_SECRET.*openssl rand -base64 32/);
  });

  it("takes the tokens' audience from JWT_AUDIENCE, the backend's name for it", () => {
    withEnv({ BETTER_AUTH_SECRET: GOOD_SECRET, JWT_AUDIENCE: " staging-api " });
    expect(getServerConfig().tokenAudience).toBe("staging-api");
  });

  it("picks PostgreSQL only for postgres URLs", () => {
    withEnv({ BETTER_AUTH_SECRET: GOOD_SECRET, DATABASE_URL: "postgresql://u:p@db.example/neondb?sslmode=require" });
    expect(getServerConfig().database).toEqual({ kind: "postgres", url: "postgresql://u:p@db.example/neondb?sslmode=require" });
    withEnv({ BETTER_AUTH_SECRET: GOOD_SECRET, DATABASE_URL: "sqlite:///backend.db", AUTH_SQLITE_PATH: "/tmp/a.sqlite" });
    expect(getServerConfig().database).toEqual({ kind: "sqlite", file: "/tmp/a.sqlite" });
  });

  it("rejects a bad token lifetime, attempt limit or API URL", () => {
    withEnv({ BETTER_AUTH_SECRET: GOOD_SECRET, AUTH_TOKEN_TTL_SECONDS: "soon" });
    expect(() => getServerConfig()).toThrow(/AUTH_TOKEN_TTL_SECONDS/);
    withEnv({ BETTER_AUTH_SECRET: GOOD_SECRET, AUTH_TOKEN_TTL_SECONDS: "4" });
    expect(() => getServerConfig()).toThrow(/between 5 and 86400/);
    withEnv({ BETTER_AUTH_SECRET: GOOD_SECRET, AUTH_TOKEN_TTL_SECONDS: "5" });
    expect(getServerConfig().tokenTtlSeconds).toBe(5);
    withEnv({ BETTER_AUTH_SECRET: GOOD_SECRET, AUTH_SIGNIN_ATTEMPTS_PER_10S: "0" });
    expect(() => getServerConfig()).toThrow(/AUTH_SIGNIN_ATTEMPTS_PER_10S/);
    withEnv({ NEXT_PUBLIC_API_URL: "ftp://api" });
    expect(() => getApiUrl()).toThrow(/NEXT_PUBLIC_API_URL/);
  });

  it("reads the API URL at call time and drops a trailing slash", () => {
    withEnv({ NEXT_PUBLIC_API_URL: "https://api.example.com/" });
    expect(getApiUrl()).toBe("https://api.example.com");
  });

  it("takes a path as the API URL, the same origin as the pages, and resolves it for its own calls", () => {
    withEnv({ BETTER_AUTH_SECRET: GOOD_SECRET, BETTER_AUTH_URL: "https://todo.example.com", NEXT_PUBLIC_API_URL: "/api/v1/" });
    expect(getApiUrl()).toBe("/api/v1");
    expect(getServerConfig().apiUrl).toBe("https://todo.example.com/api/v1");
    withEnv({ NEXT_PUBLIC_API_URL: "//evil.example/api" });
    expect(() => getApiUrl()).toThrow(/NEXT_PUBLIC_API_URL/);
  });

  it("reads the balancer's secret and refuses a short one", () => {
    withEnv({ BETTER_AUTH_SECRET: GOOD_SECRET, BALANCER_SECRET: "b".repeat(16) });
    expect(getServerConfig().balancerSecret).toBe("b".repeat(16));
    withEnv({ BETTER_AUTH_SECRET: GOOD_SECRET, BALANCER_SECRET: "short" });
    expect(() => getServerConfig()).toThrow(/BALANCER_SECRET is too short/);
  });
});
