import "server-only";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { Pool } from "pg";
import type { BetterAuthOptions } from "better-auth";
import type { AuthDatabaseConfig, ServerConfig } from "./config";
import { MIN_PASSWORD_LENGTH } from "../shared/limits";

function openDatabase(database: AuthDatabaseConfig): BetterAuthOptions["database"] {
  if (database.kind === "postgres") {
    // pg reads sslmode from the connection string, which Neon URLs carry.
    return new Pool({ connectionString: database.url });
  }
  fs.mkdirSync(path.dirname(database.file), { recursive: true });
  const db = new Database(database.file);
  db.pragma("journal_mode = WAL");
  return db;
}

/**
 * Better-Auth settings shared by the web server and the migration script, so
 * both always see the same schema (`npm run migrate` runs with the
 * react-server condition, under which "server-only" is an empty module).
 */
export function buildAuthOptions(config: ServerConfig) {
  return {
    appName: "Todo",
    secret: config.authSecret,
    baseURL: config.authUrl,
    database: openDatabase(config.database),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      autoSignIn: true,
    },
    rateLimit: {
      customRules: {
        "/sign-in/email": { window: 10, max: config.signInAttemptsPer10s },
        "/sign-up/email": { window: 10, max: config.signInAttemptsPer10s },
      },
    },
    telemetry: { enabled: false },
  } satisfies BetterAuthOptions;
}
