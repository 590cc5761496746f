import "server-only";
import path from "node:path";

/** Raised when the server's settings are missing or unsafe; the message says what to set. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

export type AuthDatabaseConfig =
  | { kind: "postgres"; url: string }
  | { kind: "sqlite"; file: string };

export interface MailConfig {
  /** `smtp://user:pass@host:587` or `smtps://…`; unset: messages become .eml files in `outboxDir`. */
  smtpUrl?: string;
  from: string;
  outboxDir: string;
}

export interface ServerConfig {
  authSecret: string;
  authUrl: string;
  /** Absolute: where this server itself calls the API (a relative public URL resolved against `authUrl`). */
  apiUrl: string;
  tokenTtlSeconds: number;
  /** The tokens' `aud` claim; the backend requires the same value (JWT_AUDIENCE on both sides). */
  tokenAudience: string;
  /** Sign-in/sign-up attempts allowed per client IP in each 10-second window. */
  signInAttemptsPer10s: number;
  /**
   * Shared by the load balancer (BALANCER_SECRET), which sends it with each request; once
   * set, only a request carrying it may name the client's address in X-Forwarded-For.
   */
  balancerSecret?: string;
  database: AuthDatabaseConfig;
  /** Sign-in waits until the address is confirmed (REQUIRE_EMAIL_VERIFICATION). */
  requireEmailVerification: boolean;
  mail: MailConfig;
}

const MIN_SECRET_LENGTH = 32;
const MIN_BALANCER_SECRET_LENGTH = 16;
const DEFAULT_TOKEN_TTL_SECONDS = 900;
const MIN_TOKEN_TTL_SECONDS = 5;
const MAX_TOKEN_TTL_SECONDS = 24 * 60 * 60;
// The backend's default too: both sides agree without any setting.
const DEFAULT_TOKEN_AUDIENCE = "todo-api";
// Better-Auth's own default: slows password guessing, enforced when NODE_ENV=production.
const DEFAULT_SIGNIN_ATTEMPTS = 3;
const DEFAULT_MAIL_FROM = "Todo <no-reply@localhost>";

/**
 * Reads a variable at run time. The computed key keeps Next from inlining
 * NEXT_PUBLIC_* values at build time, so one build can point at any backend.
 */
function readEnv(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value ? value : undefined;
}

function readSecret(): string {
  const secret = readEnv("BETTER_AUTH_SECRET");
  if (!secret || secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(
      `BETTER_AUTH_SECRET is ${secret ? "too short" : "not set"}: set it to at least ${MIN_SECRET_LENGTH} random characters (e.g. \`openssl rand -base64 32\`), the same value the backend uses.`,
    );
  }
  return secret;
}

function readUrl(name: string, fallback: string): string {
  const raw = readEnv(name) ?? fallback;
  try {
    const url = new URL(raw);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http(s)");
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, got "${raw}".`);
  }
  return raw.replace(/\/+$/, "");
}

interface WholeNumber {
  fallback: number;
  min: number;
  max?: number;
  /** What is counted, for the error message (e.g. "seconds"). */
  unit?: string;
}

/** A whole number from the environment, within bounds; `fallback` when unset. */
function readWholeNumber(name: string, { fallback, min, max, unit }: WholeNumber): number {
  const raw = readEnv(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
    const what = unit ? `a whole number of ${unit}` : "a whole number";
    const range = max === undefined ? `of at least ${min}` : `between ${min} and ${max}`;
    throw new ConfigError(`${name} must be ${what} ${range}, got "${raw}".`);
  }
  return value;
}

function readFlag(name: string): boolean {
  const raw = readEnv(name)?.toLowerCase();
  if (raw === undefined || raw === "false" || raw === "0") return false;
  if (raw === "true" || raw === "1") return true;
  throw new ConfigError(`${name} must be true or false, got "${process.env[name]}".`);
}

function readMail(): MailConfig {
  const smtpUrl = readEnv("SMTP_URL");
  if (smtpUrl && !/^smtps?:\/\/[^/]/i.test(smtpUrl)) {
    throw new ConfigError("SMTP_URL must look like smtp://user:pass@host:587 or smtps://user:pass@host:465.");
  }
  const outbox = readEnv("MAIL_OUTBOX_DIR") ?? path.join("data", "outbox");
  return {
    smtpUrl,
    from: readEnv("MAIL_FROM") ?? DEFAULT_MAIL_FROM,
    outboxDir: path.resolve(/* turbopackIgnore: true */ process.cwd(), outbox),
  };
}

function readDatabase(): AuthDatabaseConfig {
  const url = readEnv("DATABASE_URL");
  if (url && /^postgres(ql)?:\/\//i.test(url)) return { kind: "postgres", url };
  // Any other DATABASE_URL (e.g. the backend's sqlite URL in a shared env) is not ours to open.
  const file = readEnv("AUTH_SQLITE_PATH") ?? path.join("data", "auth.sqlite");
  return { kind: "sqlite", file: path.resolve(/* turbopackIgnore: true */ process.cwd(), file) };
}

function readBalancerSecret(): string | undefined {
  const secret = readEnv("BALANCER_SECRET");
  if (secret !== undefined && secret.length < MIN_BALANCER_SECRET_LENGTH) {
    throw new ConfigError(`BALANCER_SECRET is too short: set it to at least ${MIN_BALANCER_SECRET_LENGTH} random characters, the value the load balancer sends.`);
  }
  return secret;
}

/**
 * Base URL of the FastAPI backend as the browser calls it, read per request so it can
 * change without a rebuild. A path (e.g. `/api/v1`) means the same origin as the pages,
 * behind a load balancer: the browser then sends no CORS preflight.
 */
export function getApiUrl(): string {
  const raw = readEnv("NEXT_PUBLIC_API_URL");
  if (raw?.startsWith("/")) {
    if (raw.startsWith("//")) throw new ConfigError(`NEXT_PUBLIC_API_URL must be an http(s) URL or a path such as /api/v1, got "${raw}".`);
    return raw.replace(/\/+$/, "");
  }
  return readUrl("NEXT_PUBLIC_API_URL", "http://localhost:8000");
}

/** The frontend's public URL (BETTER_AUTH_URL), without a trailing slash. */
export function getAuthUrl(): string {
  return readUrl("BETTER_AUTH_URL", "http://localhost:3000");
}

export function getServerConfig(): ServerConfig {
  const authUrl = getAuthUrl();
  return {
    authSecret: readSecret(),
    authUrl,
    apiUrl: new URL(getApiUrl(), authUrl).href.replace(/\/+$/, ""),
    tokenTtlSeconds: readWholeNumber("AUTH_TOKEN_TTL_SECONDS", {
      fallback: DEFAULT_TOKEN_TTL_SECONDS,
      min: MIN_TOKEN_TTL_SECONDS,
      max: MAX_TOKEN_TTL_SECONDS,
      unit: "seconds",
    }),
    tokenAudience: readEnv("JWT_AUDIENCE") ?? DEFAULT_TOKEN_AUDIENCE,
    signInAttemptsPer10s: readWholeNumber("AUTH_SIGNIN_ATTEMPTS_PER_10S", { fallback: DEFAULT_SIGNIN_ATTEMPTS, min: 1 }),
    balancerSecret: readBalancerSecret(),
    database: readDatabase(),
    requireEmailVerification: readFlag("REQUIRE_EMAIL_VERIFICATION"),
    mail: readMail(),
  };
}
